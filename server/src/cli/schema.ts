/** `harbor-audit schema values|harbor-yml`: JSON Schema of a version's keys, for other tools. */
import { harborYmlSchema, valuesSchema } from '../core/keys/schema';
import { chartKeys, installerFormat, installerKeys, resolveVersion } from '../core/versions';

export const SCHEMA_USAGE = `  harbor-audit schema values [--chart-version V]    JSON Schema of the goharbor chart's values (default: newest)
  harbor-audit schema harbor-yml [--version V]      JSON Schema of the installer's harbor.yml (default: newest)`;

export function runSchemaCommand(argv: string[], io: { stdout: (text: string) => void; stderr: (text: string) => void }): number {
  const [what, ...rest] = argv;
  const flag = what === 'values' ? '--chart-version' : '--version';
  let written: string | undefined;
  for (let i = 0; i < rest.length; i++) {
    if (rest[i] === flag && rest[i + 1] !== undefined) written = rest[++i];
    else if (rest[i].startsWith(`${flag}=`)) written = rest[i].slice(flag.length + 1);
    else return usage(io, `unknown argument "${rest[i]}"`);
  }
  if (what === 'values') {
    const version = written ? resolveVersion(chartKeys().versions, written) : chartKeys().newest;
    if (!version) return usage(io, `no goharbor chart version matches "${written}" (known: ${chartKeys().versions.join(', ')})`);
    io.stdout(JSON.stringify(valuesSchema(version), null, 2) + '\n');
    return 0;
  }
  if (what === 'harbor-yml') {
    const yml = installerKeys().versions.filter((v) => installerFormat(v) === 'yml');
    const version = written ? resolveVersion(yml, written) : yml[yml.length - 1];
    if (!version) return usage(io, `no harbor.yml version matches "${written}" (harbor.yml exists from Harbor ${yml[0]})`);
    io.stdout(JSON.stringify(harborYmlSchema(version), null, 2) + '\n');
    return 0;
  }
  return usage(io, 'schema takes `values` or `harbor-yml`');
}

function usage(io: { stderr: (text: string) => void }, message: string): number {
  io.stderr(`harbor-audit: ${message}\n\nUsage:\n${SCHEMA_USAGE}\n`);
  return 2;
}
