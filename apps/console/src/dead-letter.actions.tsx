import { type ReactNode, useState } from "react";
import { NoteDialog } from "./note.dialog";

export type DeadLetterAction = "replay" | "resolve" | "discard";

/**
 * Replay, resolve and discard, for one dead letter or a selection: the toolbar (for a token that may act), the
 * notice saying how the last action went, and the note dialog resolve and discard ask for first. `onAct` gets the
 * action's verb for that notice and, for resolve and discard, the request body with the note.
 */
export function DeadLetterActions(props: {
  label: string;
  canAct: boolean;
  /** How many entries an action applies to. */
  count: number;
  /** After each button's verb: " selected" on the list. */
  suffix?: string;
  canReplay: boolean;
  canClose: boolean;
  notice: string;
  onAct: (verb: string, action: DeadLetterAction, body?: { note: string }) => void;
  /** Shown before the buttons. */
  children?: ReactNode;
}) {
  const { suffix = "" } = props;
  const [dialog, setDialog] = useState<"resolve" | "discard" | null>(null);
  return (
    <>
      {props.canAct && (
        <div className="toolbar" role="toolbar" aria-label={props.label}>
          {props.children}
          <button type="button" disabled={!props.canReplay} onClick={() => props.onAct("Replay", "replay")}>
            Replay{suffix}
          </button>
          <button type="button" className="secondary" disabled={!props.canClose} onClick={() => setDialog("resolve")}>
            Resolve{suffix}…
          </button>
          <button type="button" className="danger" disabled={!props.canClose} onClick={() => setDialog("discard")}>
            Discard{suffix}…
          </button>
        </div>
      )}
      <p role="status" className="notice">
        {props.notice}
      </p>
      {dialog && (
        <NoteDialog
          action={dialog}
          count={props.count}
          onClose={() => setDialog(null)}
          onConfirm={(note) => props.onAct(dialog === "resolve" ? "Resolve" : "Discard", dialog, { note })}
        />
      )}
    </>
  );
}
