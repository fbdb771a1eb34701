/**
 * The config findings of the whole workspace, kept for joining with logs: the
 * first use walks and analyses every candidate file (as the workspace audit
 * does, through the same confined file access); later uses analyse again only
 * the files that changed and the files whose findings read them. Settings
 * changes and created or deleted files start over. Files changed outside the
 * editor that the client does not watch stay as last read, as in the audit.
 */
import { LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver';
import type { Analysis } from '../core/languageService';
import type { Finding } from '../core/types';
import type { WorkspaceReports } from './explainLog';

export interface WorkspaceSource {
  /** Candidate file URIs of the workspace. */
  candidates(token?: CancellationToken): Promise<string[]>;
  /** A file's analysis (the open document's, or the file on disk); undefined when it is not read. */
  analyze(uri: string): Promise<Analysis | undefined>;
  pathOf(uri: string): string | undefined;
  onError(uri: string, error: unknown): void;
}

interface Entry {
  path: string | undefined;
  findings: Finding[];
  dependencies: string[];
}

export class WorkspaceFindings {
  private entries: Map<string, Entry> | undefined;
  private readonly dirty = new Set<string>();
  /** Paths changed while the first walk runs: applied when it is done. */
  private changedDuringBuild: Set<string> | undefined;
  private epoch = 0;
  /** The last "too many files" answer: the walk is not repeated for every log until something changes. */
  private skipped: { epoch: number; limit: number; result: WorkspaceReports } | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly source: WorkspaceSource) {}

  /** Anything may have changed (settings, files created or deleted): the next use walks the workspace again. */
  reset(): void {
    this.entries = undefined;
    this.dirty.clear();
    this.changedDuringBuild = undefined;
    this.epoch++;
  }

  /** These files changed: they, and the files whose findings read them, are analysed again on next use. */
  changed(paths: ReadonlySet<string>): void {
    if (!this.entries) {
      if (this.changedDuringBuild) for (const path of paths) this.changedDuringBuild.add(path);
      return;
    }
    for (const [uri, entry] of this.entries) {
      if ((entry.path !== undefined && paths.has(entry.path)) || entry.dependencies.some((dependency) => paths.has(dependency))) this.dirty.add(uri);
    }
  }

  /**
   * The findings, per file. With `limit`, a workspace of more candidate files
   * is not read (the result says so); cancelling stops the walk and keeps
   * nothing of it. One caller at a time: concurrent callers share the work.
   */
  reports(token?: CancellationToken, limit?: number): Promise<WorkspaceReports> {
    const next = this.queue.then(() => this.update(token, limit));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async update(token: CancellationToken | undefined, limit: number | undefined): Promise<WorkspaceReports> {
    let entries = this.entries;
    if (!entries && limit !== undefined && this.skipped?.epoch === this.epoch && this.skipped.limit === limit) return this.skipped.result;
    if (!entries) {
      const epoch = this.epoch;
      this.changedDuringBuild = new Set();
      const candidates = await this.source.candidates(token);
      if (token?.isCancellationRequested) throw cancelled();
      if (limit !== undefined && candidates.length > limit) {
        this.changedDuringBuild = undefined;
        const result = { reports: [], checked: 0, skipped: `${candidates.length} candidate files, over ${limit}; run Harbor: Explain Log… on the lines to look them up` };
        this.skipped = { epoch, limit, result };
        return result;
      }
      entries = new Map();
      for (const uri of candidates) {
        if (token?.isCancellationRequested) {
          this.changedDuringBuild = undefined;
          throw cancelled();
        }
        // One file at a time, yielding between them: requests for open documents are answered in between.
        await new Promise((resolve) => setImmediate(resolve));
        entries.set(uri, await this.entryOf(uri));
      }
      if (epoch !== this.epoch) return toReports(entries);
      this.entries = entries;
      const changed = this.changedDuringBuild;
      this.changedDuringBuild = undefined;
      if (changed && changed.size > 0) this.changed(changed);
    }
    for (const uri of [...this.dirty]) {
      if (token?.isCancellationRequested) throw cancelled();
      this.dirty.delete(uri);
      entries.set(uri, await this.entryOf(uri));
    }
    return toReports(entries);
  }

  private async entryOf(uri: string): Promise<Entry> {
    const path = this.source.pathOf(uri);
    try {
      const analysis = await this.source.analyze(uri);
      return { path, findings: analysis?.findings ?? [], dependencies: analysis?.dependencies ?? [] };
    } catch (error) {
      this.source.onError(uri, error);
      return { path, findings: [], dependencies: [] };
    }
  }
}

function toReports(entries: ReadonlyMap<string, Entry>): WorkspaceReports {
  const reports = [...entries].filter(([, entry]) => entry.findings.length > 0).map(([uri, entry]) => ({ file: entry.path ?? uri, findings: entry.findings }));
  return { reports, checked: entries.size };
}

function cancelled(): ResponseError<void> {
  return new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
}
