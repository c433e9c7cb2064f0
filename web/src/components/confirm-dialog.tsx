import type { ComponentChildren } from 'preact';
import { useId, useState } from 'preact/hooks';
import { ErrorNote } from './error-note.tsx';
import { useModal } from './use-modal.ts';

export interface ConfirmRequest {
  /** "Pause channel orders?" */
  title: string;
  /** What will happen, in a sentence or two. */
  body: ComponentChildren;
  /** The confirm button's name: what it does ("Pause channel"). */
  confirmLabel: string;
  /** Runs the action with the reason; a thrown error is shown in the dialog, which stays open. */
  run: (reason: string) => Promise<void>;
}

/**
 * A modal confirmation (WAI-ARIA dialog pattern, on the native <dialog>: showModal makes the
 * rest of the page inert, so focus stays inside; Escape cancels). It asks for the reason the
 * API records in the event log, and gives focus back to the button that opened it.
 */
export function ConfirmDialog({ request, onClose }: { request: ConfirmRequest; onClose: () => void }) {
  const dialog = useModal();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const titleId = useId();
  const bodyId = useId();
  const reasonId = useId();


  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await request.run(reason.trim());
      onClose();
    } catch (failure) {
      setError(failure);
      setBusy(false);
    }
  };

  return (
    <dialog ref={dialog} class="confirm" aria-labelledby={titleId} aria-describedby={bodyId} onCancel={(event) => { event.preventDefault(); onClose(); }}>
      <form onSubmit={(event) => void submit(event)}>
        <h2 id={titleId}>{request.title}</h2>
        <div id={bodyId} class="dialog-body">{request.body}</div>
        <label for={reasonId}>Reason</label>
        <textarea id={reasonId} required maxLength={1000} rows={3} value={reason} placeholder="Why, for the event log" onInput={(event) => setReason(event.currentTarget.value)} autofocus />
        <ErrorNote error={error} />
        <div class="dialog-buttons">
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" class="primary" disabled={busy || reason.trim() === ''}>{request.confirmLabel}</button>
        </div>
      </form>
    </dialog>
  );
}
