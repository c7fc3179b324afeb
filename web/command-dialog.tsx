import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, sendCommand, type CommandName } from './api.js';

export const COMMAND_LABELS: Record<CommandName, { label: string; explain: string; danger?: boolean }> = {
  promote: { label: 'Promote', explain: 'Complete the current step (a pause, or the current stage) and move to the next.' },
  'promote-full': { label: 'Promote fully', explain: 'Skip every remaining step and send all traffic to the new version.' },
  pause: { label: 'Pause', explain: 'Hold the rollout at its current step until resumed or promoted.' },
  resume: { label: 'Resume', explain: 'Continue a rollout paused by a person.' },
  approve: { label: 'Approve', explain: 'Approve the pending approval gate.' },
  reject: { label: 'Reject', explain: 'Reject the pending approval gate: the rollout ends without taking traffic.', danger: true },
  abort: { label: 'Abort', explain: 'Send all traffic back to the stable version now; the rollout ends Aborted.', danger: true },
  rollback: { label: 'Rollback', explain: 'Start a new rollout back to the revision that was stable before this one.', danger: true },
};

export interface CommandDialogProps {
  rolloutId: string;
  command: CommandName | undefined;
  actor: string;
  onClose: () => void;
  onDone: (message: string, rolloutId?: string) => void;
}

/**
 * A modal confirmation for one command, with a reason. Focus moves into it (the reason field) when it opens and
 * back to the button that opened it when it closes (the native <dialog> traps focus and closes on Escape). A refused
 * command (409 and other errors) stays open with the server's message.
 */
export function CommandDialog({ rolloutId, command, actor, onClose, onDone }: CommandDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const reasonField = useRef<HTMLTextAreaElement>(null);
  const opener = useRef<HTMLElement | null>(null);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (command && !d.open) {
      opener.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      setReason('');
      setError(undefined);
      d.showModal();
      reasonField.current?.focus();
    } else if (!command && d.open) d.close();
  }, [command]);

  const close = () => {
    onClose();
    opener.current?.focus();
  };

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!command) return;
    setBusy(true);
    setError(undefined);
    try {
      const r = await sendCommand(rolloutId, command, reason.trim(), actor);
      dialog.current?.close();
      onDone(r.message, r.rolloutId);
      opener.current?.focus();
    } catch (err) {
      setError(err instanceof ApiError ? `${err.status === 409 ? 'Refused' : `Error ${err.status}`}: ${err.message}` : String(err));
    } finally {
      setBusy(false);
    }
  };

  const info = command ? COMMAND_LABELS[command] : undefined;
  return (
    <dialog ref={dialog} aria-labelledby="command-title" aria-describedby="command-explain" onClose={() => command && close()}>
      <form onSubmit={submit}>
        <h2 id="command-title">{info ? `${info.label} rollout ${rolloutId}?` : ''}</h2>
        <p id="command-explain">{info?.explain}</p>
        <p>
          Recorded in the audit log as <code>user:{actor || 'anonymous'}</code>.
        </p>
        <label class="block">
          Reason (optional, recorded with the command)
          <textarea ref={reasonField} rows={3} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        </label>
        {error ? (
          <p class="notice error" role="alert" data-testid="command-error">
            {error}
          </p>
        ) : null}
        <div class="actions">
          <button type="submit" class={info?.danger ? 'danger' : 'primary'} disabled={busy}>
            {busy ? 'Sending…' : `Confirm ${info?.label.toLowerCase() ?? ''}`}
          </button>
          <button type="button" onClick={() => dialog.current?.close()}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
