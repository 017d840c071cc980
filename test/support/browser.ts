import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it when missing). */
export const CHROMIUM = "/usr/bin/chromium";

/** Headless, and quiet: nothing of Chromium's own reaches the network. */
export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** Screenshots go to test-results/<folder>/ (git-ignored), one per page a test looked at. */
export function screenshots(folder: string): (page: Page, name: string) => Promise<void> {
  const dir = join(__dirname, "..", "..", "test-results", folder);
  mkdirSync(dir, { recursive: true });
  return async (page, name) => void (await page.screenshot({ path: join(dir, `${name}.png`), fullPage: true }));
}

/** Every Content-Security-Policy violation and uncaught error the page reports. */
export function pageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on("console", (m) => {
    if (m.type() === "error" && /Content Security Policy/i.test(m.text())) problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(e.message));
  return problems;
}
