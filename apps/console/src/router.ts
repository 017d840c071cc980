import { useEffect, useState } from "react";

// A router of a few lines: the console has five pages, all below /console/.
const BASE = "/console";

export function navigate(to: string): void {
  history.pushState(null, "", BASE + to);
  dispatchEvent(new PopStateEvent("popstate"));
}

/** The path below /console, e.g. `/events/42`. */
export function usePath(): string {
  const read = () => location.pathname.replace(/^\/console/, "") || "/";
  const [path, setPath] = useState(read);
  useEffect(() => {
    const update = () => setPath(read());
    addEventListener("popstate", update);
    return () => removeEventListener("popstate", update);
  }, []);
  return path;
}

export const href = (to: string) => BASE + to;
