import { Controller, Get, Inject, Req, UseGuards } from "@nestjs/common";
import { AdminGuard, type AdminRequest, ReadOnly } from "@hookstream/platform";
import { DLQ_CONFIG, type DlqConfig } from "./config";

/** What the console learns after sign-in: which kind of token it holds, and the settings it displays with. */
@Controller("admin")
@UseGuards(AdminGuard)
export class SessionController {
  constructor(@Inject(DLQ_CONFIG) private readonly config: DlqConfig) {}

  /** `admin` may act; `read` (ADMIN_READ_TOKEN) may only look, and the console shows it no action. */
  @Get("whoami")
  @ReadOnly()
  whoami(@Req() req: AdminRequest) {
    return { role: req.adminToken };
  }

  @Get("config")
  @ReadOnly()
  settings() {
    return { traceUrlTemplate: this.config.traceUrlTemplate };
  }
}
