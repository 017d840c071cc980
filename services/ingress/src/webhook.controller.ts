import { Controller, HttpCode, Post, Req, Res } from "@nestjs/common";
import type { FastifyReply, FastifyRequest } from "fastify";
import { IngestService } from "./ingest.service";
import { github } from "./providers";

@Controller("webhooks")
export class WebhookController {
  constructor(private readonly ingest: IngestService) {}

  @Post("github")
  @HttpCode(202)
  async receiveGithub(@Req() req: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const result = await this.ingest.ingest(github, { headers: req.headers, rawBody: Buffer.isBuffer(req.body) ? req.body : undefined });
    // A ping is answered, not accepted for processing.
    if (result.status === "pong") reply.status(200);
    return result;
  }
}
