import { Controller, Get, Inject, Logger, NotFoundException, Req, Res } from "@nestjs/common";
import type { FastifyReply, FastifyRequest } from "fastify";
import { CONSOLE_HEADERS, type ConsoleAsset, loadConsoleAssets, resolveConsolePath } from "./console.assets";
import { DLQ_CONFIG, type DlqConfig } from "./config";

/**
 * The web console, a single-page app served from this port so that it calls the admin API on its own origin.
 * It holds no secret: every figure it shows comes from the admin API, with the token the operator pastes.
 */
@Controller()
export class ConsoleController {
  private readonly assets: Map<string, ConsoleAsset>;

  constructor(@Inject(DLQ_CONFIG) config: DlqConfig) {
    this.assets = loadConsoleAssets(config.consoleDir);
    if (!this.assets.has("index.html")) new Logger(ConsoleController.name).warn(`no console at ${config.consoleDir}: run npm run build`);
  }

  @Get(["console", "console/*"])
  serve(@Req() req: FastifyRequest, @Res() reply: FastifyReply) {
    const path = new URL(req.url, "http://console").pathname.replace(/^\/console/, "");
    const asset = resolveConsolePath(this.assets, path);
    if (!asset) throw new NotFoundException({ code: "not_found", message: this.assets.size ? "no such console file" : "the console was not built" });
    const headers = { ...CONSOLE_HEADERS, "content-type": asset.contentType, "cache-control": asset.cacheControl, vary: "accept-encoding" };
    const gzip = asset.gzip && /\bgzip\b/.test(String(req.headers["accept-encoding"] ?? ""));
    void reply.headers(gzip ? { ...headers, "content-encoding": "gzip" } : headers).send(gzip ? asset.gzip : asset.body);
  }
}
