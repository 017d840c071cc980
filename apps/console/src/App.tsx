import { useEffect, useRef, useState } from "react";
import { api, hasToken, onSignedOut, type Role, signOut } from "./api";
import { DeadLetterPage } from "./pages/DeadLetterPage";
import { DeadLetters } from "./pages/DeadLetters";
import { EventPage } from "./pages/EventPage";
import { Events } from "./pages/Events";
import { Overview } from "./pages/Overview";
import { SignIn } from "./pages/SignIn";
import { Subscriptions } from "./pages/Subscriptions";
import { usePath } from "./router";
import { Link } from "./ui";

const NAV = [
  { to: "/", label: "Overview" },
  { to: "/events", label: "Events" },
  { to: "/dead-letters", label: "Dead letters" },
  { to: "/subscriptions", label: "Subscriptions" },
];

export function App() {
  const [role, setRole] = useState<Role | null>(null);
  const [checking, setChecking] = useState(hasToken());
  const path = usePath();
  const firstPage = useRef(true);

  useEffect(() => onSignedOut(() => setRole(null)), []);
  // A token kept from earlier in this tab: ask the API what it may do (it may have been rotated since).
  useEffect(() => {
    if (!hasToken()) return;
    api<{ role: Role }>("/admin/whoami")
      .then((w) => setRole(w.role))
      .catch(() => signOut())
      .finally(() => setChecking(false));
  }, []);
  // After moving to another page, focus goes to its heading, so a screen reader announces it as after a page load.
  useEffect(() => {
    const h1 = document.querySelector<HTMLElement>("main h1");
    const heading = h1?.textContent?.trim();
    document.title = heading && heading !== "Hookstream console" ? `${heading} · Hookstream console` : "Hookstream console";
    if (firstPage.current) {
      firstPage.current = false;
      return;
    }
    h1?.setAttribute("tabindex", "-1");
    h1?.focus();
  }, [path, role]);

  if (checking) return null;
  if (!role) return <SignIn onSignedIn={setRole} />;
  const canAct = role === "admin";
  const section = "/" + (path.split("/")[1] ?? "");

  return (
    <>
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="top">
        <span className="brand">Hookstream</span>
        <nav aria-label="Console">
          <ul>
            {NAV.map((n) => (
              <li key={n.to}>
                <Link to={n.to} current={section === n.to}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <span className={`role role-${role}`}>{canAct ? "admin" : "read-only"}</span>
        <button type="button" className="secondary" onClick={signOut}>
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        <Page path={path} canAct={canAct} />
      </main>
    </>
  );
}

function Page({ path, canAct }: { path: string; canAct: boolean }) {
  const [, section, id] = path.split("/");
  if (section === "events" && id) return <EventPage seq={id} />;
  if (section === "events") return <Events />;
  if (section === "dead-letters" && id) return <DeadLetterPage id={id} canAct={canAct} />;
  if (section === "dead-letters") return <DeadLetters canAct={canAct} />;
  if (section === "subscriptions") return <Subscriptions canAct={canAct} />;
  if (!section) return <Overview />;
  return <h1 tabIndex={-1}>Not found</h1>;
}
