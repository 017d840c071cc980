import { type FormEvent, useState } from "react";
import { type Role, signIn } from "../api";

export function SignIn({ onSignedIn }: { onSignedIn: (role: Role) => void }) {
  const [token, setToken] = useState("");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSignedIn(await signIn(token.trim()));
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <main id="main" className="signin">
      <h1>Hookstream console</h1>
      <form onSubmit={(e) => void submit(e)} aria-describedby="token-hint">
        <label htmlFor="token">Admin token</label>
        <input id="token" type="password" autoComplete="off" spellCheck={false} required value={token} onChange={(e) => setToken(e.target.value)} autoFocus />
        <p id="token-hint" className="muted">
          Paste <code>ADMIN_TOKEN</code> to act, or <code>ADMIN_READ_TOKEN</code> to look only. It is kept in this tab until you sign out or close it.
        </p>
        {error && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        <button type="submit" disabled={busy || !token.trim()}>
          Sign in
        </button>
      </form>
    </main>
  );
}
