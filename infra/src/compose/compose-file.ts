import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** The parts of a Compose service this project's checks read (the Compose Specification's names). */
export interface ComposeService {
  image?: string;
  build?: string | { context?: string; dockerfile?: string };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  restart?: string;
  depends_on?: string[] | Record<string, { condition?: string; required?: boolean }>;
  ports?: Array<string | number | { published?: string | number; target?: number }>;
  volumes?: Array<string | { type?: string; source?: string; target?: string }>;
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
}

export class InterpolationError extends Error {}

/**
 * Compose variable interpolation: `$$` is a literal `$`; `${VAR}` / `$VAR`; `${VAR:-default}` (unset or
 * empty → default), `${VAR-default}` (unset → default); `${VAR:?message}` / `${VAR?message}` fail when
 * the variable is missing (empty too for `:?`). An unset plain variable becomes '' (Compose warns).
 */
export function interpolate(text: string, env: Readonly<Record<string, string | undefined>>): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const at = text.indexOf('$', i);
    if (at < 0 || at === text.length - 1) return out + text.slice(i);
    out += text.slice(i, at);
    const next = text[at + 1]!;
    if (next === '$') {
      out += '$';
      i = at + 2;
    } else if (next === '{') {
      // the matching brace: a default may itself hold ${...}
      let depth = 1;
      let end = at + 2;
      for (; end < text.length && depth > 0; end++) {
        if (text[end] === '{') depth++;
        else if (text[end] === '}') depth--;
      }
      if (depth > 0) throw new InterpolationError(`unclosed \${ in ${JSON.stringify(text)}`);
      out += expand(text.slice(at + 2, end - 1), env);
      i = end;
    } else {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(at + 1))?.[0];
      if (name) {
        out += env[name] ?? '';
        i = at + 1 + name.length;
      } else {
        out += '$';
        i = at + 1;
      }
    }
  }
  return out;
}

function expand(inner: string, env: Readonly<Record<string, string | undefined>>): string {
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?])([\s\S]*))?$/.exec(inner);
  if (!m) throw new InterpolationError(`invalid interpolation \${${inner}}`);
  const [, name, colon, op, arg] = m;
  const value = env[name!];
  if (!op) return value ?? '';
  const missing = value === undefined || (colon === ':' && value === '');
  if (!missing) return value!;
  if (op === '-') return interpolate(arg ?? '', env);
  throw new InterpolationError(`required variable ${name} is missing: ${arg ?? ''}`);
}

function interpolateTree(node: unknown, env: Readonly<Record<string, string | undefined>>): unknown {
  if (typeof node === 'string') return interpolate(node, env);
  if (Array.isArray(node)) return node.map((item) => interpolateTree(item, env));
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, interpolateTree(v, env)]));
  }
  return node;
}

/** Parses a compose file (anchors, aliases and `<<` merge keys resolved) and interpolates it with `env`. */
export function loadCompose(path: string, env: Readonly<Record<string, string | undefined>>): ComposeFile {
  const raw = parse(readFileSync(path, 'utf8'), { merge: true }) as ComposeFile;
  return interpolateTree(raw, env) as ComposeFile;
}

/** A service's environment as the process sees it: every value a string. */
export function serviceEnv(service: ComposeService): Record<string, string> {
  const env: Record<string, string> = {};
  if (Array.isArray(service.environment)) {
    for (const entry of service.environment) {
      const at = entry.indexOf('=');
      if (at > 0) env[entry.slice(0, at)] = entry.slice(at + 1);
    }
  } else {
    for (const [key, value] of Object.entries(service.environment ?? {})) {
      if (value !== null) env[key] = String(value);
    }
  }
  return env;
}

export function dependencies(service: ComposeService): Array<{ name: string; condition: string }> {
  const deps = service.depends_on;
  if (!deps) return [];
  if (Array.isArray(deps)) return deps.map((name) => ({ name, condition: 'service_started' }));
  return Object.entries(deps).map(([name, d]) => ({ name, condition: d?.condition ?? 'service_started' }));
}

/** Host ports a service publishes (short `[ip:]host:container[/proto]` and long syntax). */
export function publishedPorts(service: ComposeService): string[] {
  return (service.ports ?? []).flatMap((port) => {
    if (typeof port === 'object') return port.published === undefined ? [] : [String(port.published)];
    const parts = String(port).split('/')[0]!.split(':');
    return parts.length >= 2 ? [parts[parts.length - 2]!] : [];
  });
}

export function commandText(service: ComposeService): string {
  return Array.isArray(service.command) ? service.command.join(' ') : (service.command ?? '');
}

/** `-c name=value` pairs of a postgres command line. */
export function postgresSettings(service: ComposeService): Record<string, string> {
  const args = Array.isArray(service.command) ? service.command : (service.command ?? '').split(/\s+/);
  const settings: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const setting =
      arg === '-c' ? args[++i] : arg.startsWith('-c') ? arg.slice(2) : arg.startsWith('--') ? arg.slice(2) : undefined;
    if (!setting?.includes('=')) continue;
    const at = setting.indexOf('=');
    settings[setting.slice(0, at)] = setting.slice(at + 1);
  }
  return settings;
}
