import { type CanActivate, type ExecutionContext, ForbiddenException, Inject, Injectable, SetMetadata, UnauthorizedException } from "@nestjs/common";
import { Reflector } from "@nestjs/core";
import type { FastifyRequest } from "fastify";
import { secretEquals } from "./secret-equals";

export interface AdminTokens {
  /** May read and act. */
  admin: string;
  /** May only read. */
  read?: string;
}

export const ADMIN_TOKENS = Symbol("ADMIN_TOKENS");
const SCOPE = "hookstream:admin-scope";
export type AdminScope = "read" | "write";

/** Marks a route as reading only; unmarked admin routes need the full admin token. */
export const ReadOnly = () => SetMetadata(SCOPE, "read" satisfies AdminScope);

/** Who is calling, for audit logs: the token's name, never the token. */
export type AdminRequest = FastifyRequest & { adminToken?: "admin" | "read" };

@Injectable()
export class AdminGuard implements CanActivate {
  constructor(
    @Inject(ADMIN_TOKENS) private readonly tokens: AdminTokens,
    private readonly reflector: Reflector,
  ) {}

  canActivate(ctx: ExecutionContext): boolean {
    const req = ctx.switchToHttp().getRequest<AdminRequest>();
    const scope = this.reflector.getAllAndOverride<AdminScope>(SCOPE, [ctx.getHandler(), ctx.getClass()]) ?? "write";
    const match = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? "");
    const token = match?.[1]?.trim() ?? "";
    // Both comparisons always run, so the time taken does not tell which token (if any) was close.
    const isAdmin = secretEquals(this.tokens.admin, token);
    const isRead = this.tokens.read !== undefined && secretEquals(this.tokens.read, token);
    if (token && isAdmin) {
      req.adminToken = "admin";
      return true;
    }
    if (token && isRead) {
      if (scope !== "read") throw new ForbiddenException({ code: "read_only_token", message: "this token may only read" });
      req.adminToken = "read";
      return true;
    }
    throw new UnauthorizedException({ code: "unauthorized", message: "a valid Authorization: Bearer <token> is required" });
  }
}
