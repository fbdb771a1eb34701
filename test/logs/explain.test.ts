/**
 * `harbor-audit explain`: log excerpts in the shapes users paste, each with the
 * config folder behind it. The tests assert the incidents found, the rules
 * named and the config line ranked first, and that no secret a log carries is
 * printed back.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseLogLine } from '../../server/src/core/logs/entry';
import { analyzeBytes } from '../../server/src/core/languageService';
import { isLogDocument, logFindings } from '../../server/src/core/logs/document';
import { joinCauses } from '../../server/src/core/logs/report';
import { createNodeFileAccess } from '../../server/src/node/nodeFileAccess';
import { explainText, explainTextBounded, explainTextInSlices } from '../../server/src/core/logs/explainer';
import { SEQUENCE_SIGNATURES } from '../../server/src/core/logs/sequences';
import { SIGNATURES } from '../../server/src/core/logs/signatures';
import { maskSecrets } from '../../server/src/core/logs/mask';
import { filesUnder, repoRoot } from '../helpers/fixtures';

const cli = join(repoRoot, 'dist', 'cli.js');
const cases = join(repoRoot, 'test', 'logs', 'cases');

interface ExplainJson {
  version: number;
  incidents: {
    signature: string;
    title: string;
    lines: { file: string; line: number }[];
    count: number;
    explanation: string;
    rules: string[];
    keyIds: string[];
    keyMatches: { keyId: string; file: string; type: string }[];
    causes: { file: string; range: { start: { line: number; character: number } }; ruleId: string; message: string }[];
  }[];
}

function explain(caseName: string, args: string[], input?: string) {
  const result = spawnSync(process.execPath, [cli, 'explain', ...args], { cwd: join(cases, caseName), encoding: 'utf8', timeout: 60000, input });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function explainJson(caseName: string, args: string[]): ExplainJson {
  const result = explain(caseName, ['--format', 'json', ...args]);
  assert.ok(result.code === 0 || result.code === 1, result.stderr);
  return JSON.parse(result.stdout) as ExplainJson;
}

const incident = (json: ExplainJson, signature: string) => {
  const found = json.incidents.find((i) => i.signature === signature);
  assert.ok(found, `no ${signature} incident; got ${json.incidents.map((i) => i.signature).join(', ')}`);
  return found;
};

describe('explain: log shapes and signatures', () => {
  it('docker compose logs: an untrusted key ID is traced to the node whose key signed it', () => {
    const json = explainJson('compose-untrusted-key', ['--log', 'compose.log', 'configs']);
    const untrusted = incident(json, 'untrusted-token-key');
    assert.deepEqual(untrusted.lines, [{ file: 'compose.log', line: 2 }]);
    assert.deepEqual(untrusted.keyIds, ['3KFJ:CLUV:UMJ4:JNNE:CSV2:DON7:2CE3:V4MF:RBJU:BDTQ:6I4Z:5QGK']);
    assert.deepEqual(
      untrusted.keyMatches.map((m) => m.file),
      ['configs/node-b/common/config/core/private_key.pem', 'configs/node-b/common/config/registry/root.crt'],
      'node-b signed the token: its key and the certificate made from it',
    );
    assert.ok(untrusted.rules.includes('token-key-differs-between-nodes'));
    assert.equal(untrusted.causes[0].ruleId, 'token-key-differs-between-nodes');
    assert.match(untrusted.causes[0].file, /^configs\/node-[ab]\/harbor\.yml$/);
  });

  it('kubectl logs --prefix: core verification errors after a restart point at the carried-over token key', () => {
    const json = explainJson('kubectl-verification-error', ['--log', 'core.log', 'configs']);
    assert.deepEqual(json.incidents.map((i) => i.signature), ['token-verification-error']);
    const verification = json.incidents[0];
    assert.deepEqual(verification.lines.map((l) => l.line), [3, 4]);
    assert.match(verification.explanation, /after harbor-core started \(core\.log:1\)/);
    assert.equal(verification.causes[0].ruleId, 'token-key-pair');
    assert.equal(verification.causes[0].file, 'configs/values.yaml');
  });

  it('an access log with two pushes names exactly the broken one, and the location that hides X-Forwarded-Proto', () => {
    const json = explainJson('access-log-upload-401', ['--log', 'access.log', 'configs']);
    assert.deepEqual(json.incidents.map((i) => i.signature), ['upload-token-lost']);
    const lost = json.incidents[0];
    assert.deepEqual(lost.lines.map((l) => l.line), [8, 9, 10], 'the token, the POST and the PUT of the broken push; nothing of the healthy one');
    assert.equal(lost.causes[0].ruleId, 'proxy-forwarded-proto');
    assert.equal(lost.causes[0].file, 'configs/nginx.conf');
    // The location whose own header list hides the server's lines (`location /v2/ {`, line 19).
    assert.equal(lost.causes[0].range.start.line + 1, 19);
  });

  it('journald around Harbor nginx\'s timed_combined format: 413 on PATCH points at the missing client_max_body_size', () => {
    const json = explainJson('journald-413', ['--log', 'proxy.log', 'configs']);
    const tooLarge = incident(json, 'body-too-large');
    assert.deepEqual(tooLarge.lines.map((l) => l.line), [1, 2]);
    assert.equal(tooLarge.causes[0].ruleId, 'proxy-body-size');
  });

  it('docker and podman client output', () => {
    const json = explainJson('docker-cli', ['--log', 'client.txt']);
    assert.deepEqual(
      json.incidents.map((i) => [i.signature, i.lines.map((l) => l.line)]),
      [
        ['docker-login-unauthorized', [4]],
        ['unauthorized-repository-action', [6]],
        ['http-response-to-https-client', [8]],
        ['x509-unknown-authority', [10]],
      ],
    );
    assert.deepEqual(incident(json, 'unauthorized-repository-action').rules, [], 'a permission problem names no config rule');
    assert.ok(incident(json, 'x509-unknown-authority').rules.includes('expose-auto-cert'));
  });

  it('logins that fail every other time after a fresh token: two signing keys', () => {
    const json = explainJson('login-alternates', ['--log', 'access.log']);
    const alternating = incident(json, 'token-accepted-sometimes');
    assert.deepEqual(alternating.lines.map((l) => l.line), [6]);
    assert.ok(alternating.rules.includes('token-key-differs-between-nodes'));
  });

  it('startup errors are recognised and no secret the log carries is printed, in any format', () => {
    for (const format of ['text', 'json', 'markdown']) {
      const result = explain('startup-secrets', ['--format', format, '--log', 'compose.log']);
      assert.equal(result.code, 1, result.stderr);
      for (const secret of ['Wl4nTq8sRk2', 'Sup3rS3cretPw', 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9', 'c2lnbmF0dXJl', 'Hunter2Hunter2']) {
        assert.ok(!result.stdout.includes(secret), `${format} output shows ${secret}`);
      }
    }
    const json = explainJson('startup-secrets', ['--log', 'compose.log']);
    assert.deepEqual(json.incidents.map((i) => i.signature), ['admin-password-ignored', 'csrf-key-length', 'database-password-failed', 'tls-key-mismatch', 'csrf-token-invalid']);
    assert.deepEqual(incident(json, 'csrf-key-length').rules, ['csrf-key-length']);
    assert.ok(incident(json, 'tls-key-mismatch').rules.includes('tls-key-certificate-mismatch'));
  });

  it('a 401 on /api/v2.0 names the robot-account authentication rules', () => {
    const json = explainJson('api-bearer-401', ['--log', 'nginx.log']);
    const api = incident(json, 'api-unauthorized');
    assert.deepEqual(api.lines, [{ file: 'nginx.log', line: 1 }]);
    assert.ok(api.rules.includes('proxy-api-bearer'));
  });

  it('examples/robot-cleanup (story 5): the refused DELETEs point at the Bearer header of cleanup.sh', () => {
    const result = spawnSync(process.execPath, [cli, 'explain', '--format', 'json', '--log', 'examples/robot-cleanup/harbor-nginx.log', 'examples/robot-cleanup/'], { cwd: repoRoot, encoding: 'utf8', timeout: 60000 });
    assert.equal(result.status, 1, result.stderr);
    const api = incident(JSON.parse(result.stdout) as ExplainJson, 'api-unauthorized');
    assert.deepEqual(api.lines.map((l) => l.line), [2, 3], 'the two 401 lines, not the token request');
    assert.equal(api.causes[0]?.file, 'examples/robot-cleanup/cleanup.sh');
    assert.equal(api.causes[0]?.ruleId, 'robot-api-bearer-auth');
    assert.equal(api.causes[0]?.range.start.line, 12, 'the curl line with the Bearer header (line 13)');
  });

  it('the JSON contract, whole', () => {
    const json = explainJson('journald-413', ['--log', 'proxy.log']);
    assert.deepEqual(json, {
      version: 1,
      incidents: [
        {
          signature: 'body-too-large',
          title: 'A proxy limits the upload size (413)',
          lines: [
            { file: 'proxy.log', line: 1 },
            { file: 'proxy.log', line: 2 },
          ],
          count: 2,
          explanation: json.incidents[0].explanation,
          rules: ['proxy-body-size'],
          keyIds: [],
          keyMatches: [],
          causes: [],
        },
      ],
    });
    assert.match(json.incidents[0].explanation, /client_max_body_size/);
  });
});

describe('explain: exit codes and hostile input', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'harbor-audit-explain-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('nothing recognised: says so, exit 0', () => {
    const result = explain('nothing', ['--log', 'plain.log']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Nothing recognised/);
  });

  it('reads standard input with --log - and when piped', () => {
    const line = 'Error response from daemon: login attempt to https://h/v2/ failed with status: 401 Unauthorized\n';
    assert.equal(explain('nothing', ['--log', '-'], line).code, 1);
    assert.equal(explain('nothing', [], line).code, 1);
  });

  it('a missing, binary, folder or device log: a clear message, exit 2', () => {
    writeFileSync(join(dir, 'binary.log'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x00, 0x01, 0x0a, 0x00]));
    for (const [log, words] of [
      [join(dir, 'missing.log'), /no such file/],
      [join(dir, 'binary.log'), /binary/],
      [dir, /folder/],
      ['/dev/null', /device/],
    ] as const) {
      const result = explain('nothing', ['--log', log]);
      assert.equal(result.code, 2, `${log}: ${result.stdout}`);
      assert.match(result.stderr, words);
    }
    assert.equal(explain('nothing', ['--format', 'xml', '--log', 'plain.log']).code, 2);
  });

  it('a FIFO is read as a stream (--log <(kubectl logs …))', () => {
    const fifo = join(dir, 'pipe.log');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0, 'mkfifo');
    const writer = spawnSync('sh', ['-c', `(printf 'x509: certificate signed by unknown authority\\n' > '${fifo}') & node '${cli}' explain --log '${fifo}'`], { encoding: 'utf8', timeout: 30000 });
    assert.equal(writer.status, 1, writer.stderr);
    assert.match(writer.stdout, /x509-unknown-authority/);
  });
});

describe('log lines: envelopes and payloads', () => {
  it('peels compose, kubectl and syslog envelopes', () => {
    assert.equal(parseLogLine('registry     | time="t" level=info msg="hi"').service, 'registry');
    assert.equal(parseLogLine('harbor-core-1  | 2025-10-29T15:38:26Z [INFO] [/a.go:1]: hi').service, 'harbor-core');
    assert.equal(parseLogLine('[pod/harbor-core-5c9d/core] 2025-10-29T15:38:26Z [INFO] [/a.go:1]: hi').service, 'core');
    const syslog = parseLogLine('Jun 15 14:40:01 172.19.0.1 registry[30242]: time="2017-06-15T06:40:01Z" level=error msg="boom"');
    assert.deepEqual([syslog.service, syslog.level, syslog.message, syslog.format], ['registry', 'error', 'boom', 'logrus']);
  });

  it('reads Harbor core, logrus requests and both nginx access formats', () => {
    const core = parseLogLine('2025-10-29T15:38:26Z [ERROR] [/pkg/token/token.go:80][requestID=abc]: parse token error, x');
    assert.deepEqual([core.format, core.level, core.message], ['harbor-core', 'error', 'parse token error, x']);
    const logrus = parseLogLine('time="t" level=warn msg="response completed" http.request.method=PUT http.request.uri="/v2/a/blobs/uploads/u?_state=x" http.response.status=401 http.request.remoteaddr=10.0.0.1');
    assert.deepEqual(logrus.http, { method: 'PUT', uri: '/v2/a/blobs/uploads/u?_state=x', path: '/v2/a/blobs/uploads/u', status: 401, client: '10.0.0.1' });
    assert.equal(logrus.level, 'warning');
    const combined = parseLogLine('192.0.2.1 - - [15/Jun/2025:14:40:01 +0000] "GET /v2/ HTTP/1.1" 401 87 "-" "docker/27"');
    assert.deepEqual(combined.http, { client: '192.0.2.1', method: 'GET', uri: '/v2/', path: '/v2/', status: 401, userAgent: 'docker/27' });
    const timed = parseLogLine('172.18.0.1 - "PUT /v2/a/blobs/uploads/u?d=1 HTTP/1.1" 201 0 "-" "docker/27" 0.1 0.1 .');
    assert.equal(timed.http?.status, 201);
  });

  it('masks secrets in URLs, headers, tokens, key=value pairs and the CSRF key Harbor prints', () => {
    const masked = maskSecrets(
      'GET https://robot$ci:s3cr3tValue@h/api -H "Authorization: Basic cm9ib3Q6cw==" eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig password=abc123 docker login -p Pa55word h Invalid CSRF key length from the environment: shortkey. Please',
    );
    for (const secret of ['s3cr3tValue', 'cm9ib3Q6cw==', 'eyJhbGciOiJIUzI1NiJ9', 'abc123', 'Pa55word', 'shortkey']) assert.ok(!masked.includes(secret), `${secret} in ${masked}`);
    assert.match(masked, /robot\$ci:\*\*\*@h/);
  });

  it('a line that is only noise stays quiet; a 100,000-character line is cut, not choked on', () => {
    assert.deepEqual(explainText('GET /v2/ 200\nsomething verification error else\n'), []);
    assert.deepEqual(explainText(`${'{'.repeat(100_000)} crypto/rsa: verification error`), [], 'the signature past the cut is not seen');
    assert.equal(explainText(`crypto/rsa: verification error ${'{'.repeat(100_000)}`).length, 1);
  });
});

describe('log documents: recognised by name or by content, strictly', () => {
  const compose = readFileSync(join(cases, 'compose-untrusted-key', 'compose.log'), 'utf8');

  it('each log shape explain reads is a log under any name', () => {
    for (const text of [
      compose,
      readFileSync(join(cases, 'kubectl-verification-error', 'core.log'), 'utf8'),
      readFileSync(join(cases, 'access-log-upload-401', 'access.log'), 'utf8'),
      readFileSync(join(cases, 'journald-413', 'proxy.log'), 'utf8'),
      'time="2025-10-29T15:38:26Z" level=info msg="a"\ntime="2025-10-29T15:38:27Z" level=error msg="b"\n',
    ]) {
      assert.equal(isLogDocument('/tmp/output', text), true, text.slice(0, 80));
      assert.equal(isLogDocument('/tmp/output.txt', text), true);
    }
    assert.equal(isLogDocument('/tmp/anything.log', 'not even a log line'), true, '*.log is a log by name');
  });

  it('_fp: scripts with pipes, env files, a single line and config names are not logs', () => {
    assert.equal(isLogDocument('/tmp/run.sh', 'ls | wc -l\ncat a | grep b\nfind . | sort\n'), false);
    assert.equal(isLogDocument('/tmp/.env', 'level=debug\nmsg=hello\nlevel=2\n'), false);
    assert.equal(isLogDocument('/tmp/notes', 'error: the build failed\nERROR 42\n'), false);
    assert.equal(isLogDocument('/tmp/paste', 'registry     | time="t" level=info msg="token signed by untrusted key with ID: \\"X\\""\n'), false, 'one line');
    assert.equal(isLogDocument('/tmp/values.yaml', compose), false, 'a YAML name is a config');
    assert.equal(isLogDocument('/tmp/nginx.conf', compose), false);
  });

  it('_fp: no rule fixture or example config is taken for a log; the example logs are', () => {
    const notSnapshot = (path: string) => !path.endsWith('.snap');
    const files = [...filesUnder(join(repoRoot, 'test', 'fixtures'), notSnapshot), ...filesUnder(join(repoRoot, 'examples'), notSnapshot)];
    // examples/ keeps the logs of its incidents beside the configs (robot-cleanup/harbor-nginx.log).
    const exampleLogs = files.filter((path) => path.startsWith(join(repoRoot, 'examples')) && path.endsWith('.log'));
    assert.ok(exampleLogs.length > 0, 'examples/ holds at least one log');
    const taken = files.filter((path) => isLogDocument(path, readFileSync(path, 'latin1')));
    assert.deepEqual(taken, exampleLogs);
    // Taken by content, not only by name: the same text under another name is a log too.
    for (const path of exampleLogs) assert.ok(isLogDocument(path.replace(/\.log$/, '.txt'), readFileSync(path, 'latin1')), `${path} is recognised by its content`);
  });

  it('explainTextBounded stops at maxLines and says where; a final newline starts no line', () => {
    const text = 'a\nx509: certificate signed by unknown authority\nb\nx509: certificate signed by unknown authority\n';
    const whole = explainTextBounded(text, 'f', { firstLine: 10 });
    assert.deepEqual([whole.linesRead, whole.stoppedAt, whole.incidents[0].lines], [4, undefined, [{ file: 'f', line: 11 }, { file: 'f', line: 13 }]]);
    const cut = explainTextBounded(text, 'f', { firstLine: 10, maxLines: 2 });
    assert.deepEqual([cut.linesRead, cut.stoppedAt, cut.incidents[0].lines], [2, 12, [{ file: 'f', line: 11 }]]);
    assert.equal(explainTextBounded(text, 'f', { maxLines: 4 }).stoppedAt, undefined);
  });

  it('explainTextInSlices reads the same a slice at a time, pausing between slices, and gives up when the pause throws', async () => {
    const text = Array.from({ length: 12 }, (_, i) => (i === 7 ? 'x509: certificate signed by unknown authority' : `line ${i}`)).join('\n');
    let pauses = 0;
    const sliced = await explainTextInSlices(text, 'f', {}, async () => void pauses++, 5);
    assert.deepEqual(sliced, explainTextBounded(text, 'f'));
    assert.equal(pauses, 2, '12 lines in slices of 5');
    await assert.rejects(explainTextInSlices(text, 'f', {}, async () => { throw new Error('changed'); }, 5), /changed/);
  });

  it('log diagnostics over every case, joined with its configs: one line of at most 160 characters, cause first, the story in the detail', async () => {
    const files = createNodeFileAccess();
    let checked = 0;
    for (const name of readdirSync(cases)) {
      const folder = join(cases, name);
      const configs = readdirSync(folder).includes('configs') ? filesUnder(join(folder, 'configs')) : [];
      const reports = [];
      for (const path of configs) {
        const analysis = await analyzeBytes({ uri: path, path, bytes: readFileSync(path) }, { files });
        if (analysis.findings.length > 0) reports.push({ file: path, findings: analysis.findings });
      }
      for (const log of readdirSync(folder).filter((entry) => entry !== 'configs')) {
        const text = readFileSync(join(folder, log), 'utf8');
        const read = explainTextBounded(text, log);
        for (const finding of logFindings(text, log, joinCauses(read.incidents, reports), { link: (file, line) => `${file}:${line}` })) {
          checked++;
          assert.ok(finding.message.length <= 160 && !finding.message.includes('\n'), `${name}/${log}: ${finding.message}`);
          assert.ok(finding.detail && finding.detail.length > finding.message.length, `${name}/${log}: no detail`);
          assert.equal(finding.severity, 'info');
        }
      }
    }
    assert.ok(checked >= 15, `only ${checked} log diagnostics over the cases`);
  });

  it('every signature\'s summary leaves room for its likely cause in a 160-character diagnostic', () => {
    for (const meta of [...SIGNATURES, ...Object.values(SEQUENCE_SIGNATURES)]) {
      assert.ok(meta.summary.length <= 120, `${meta.title}: summary of ${meta.summary.length} characters`);
      assert.ok(!/\n/.test(meta.summary));
    }
  });
});
