// One cancellable host job at a time for a panel: a new run cancels the one before, a superseded
// run's results are dropped (its `current()` turns false), and a host error or a cancel becomes the
// panel's message.
import { toHostError } from './api.ts';

export class HostJob {
  /** The running job's id (progress events carry it); null when idle. Work may clear it early. */
  running = $state<string | null>(null);
  message = $state<string | null>(null);
  private seq = 0;

  /** `cancelJob` asks the host to stop a job (a closure, so a component's current api is used). */
  constructor(private readonly cancelJob: (jobId: string) => Promise<unknown>, private readonly prefix: string) {}

  async run(work: (jobId: string, current: () => boolean) => Promise<void>): Promise<void> {
    await this.cancel();
    const mine = ++this.seq;
    const jobId = `${this.prefix}-${Date.now().toString(36)}-${mine}`;
    const current = () => mine === this.seq;
    this.running = jobId;
    this.message = null;
    try {
      await work(jobId, current);
    } catch (e) {
      if (!current()) return;
      const err = toHostError(e);
      this.message = err.code === 'cancelled' ? 'Cancelled.' : err.message;
    } finally {
      if (current() && this.running === jobId) this.running = null;
    }
  }

  async cancel(): Promise<void> {
    const id = this.running;
    if (!id) return;
    this.seq++;
    this.running = null;
    this.message = 'Cancelled.';
    await this.cancelJob(id).catch(() => undefined);
  }
}
