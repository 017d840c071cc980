import { type FormEvent, useEffect, useRef, useState } from "react";

/**
 * Asks for the note every resolve or discard needs, in a modal <dialog> (focus stays inside, Escape closes it).
 */
export function NoteDialog({ action, count, onConfirm, onClose }: { action: "resolve" | "discard"; count: number; onConfirm: (note: string) => void; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const [note, setNote] = useState("");
  // Unmounting removes the dialog; closing it here would report a close (StrictMode runs effects twice).
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!note.trim()) return;
    onConfirm(note.trim());
    // Closed, not just removed: the page behind a modal dialog is inert until it closes.
    ref.current?.close();
  };
  const verb = action === "resolve" ? "Resolve" : "Discard";
  return (
    <dialog ref={ref} onClose={onClose} aria-labelledby="note-title">
      <form onSubmit={submit}>
        <h2 id="note-title">
          {verb} {count === 1 ? "this dead letter" : `${count} dead letters`}
        </h2>
        <label htmlFor="note">Note (kept in the audit log)</label>
        <textarea id="note" required maxLength={2000} rows={3} value={note} onChange={(e) => setNote(e.target.value)} autoFocus />
        <div className="actions">
          <button type="submit" className={action === "discard" ? "danger" : undefined} disabled={!note.trim()}>
            {verb}
          </button>
          <button type="button" className="secondary" onClick={() => ref.current?.close()}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}
