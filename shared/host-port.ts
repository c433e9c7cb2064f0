/** `HOST:PORT` (IPv6 as `[::1]:PORT`) split in two, or undefined when it is not that form or the port exceeds 65535. */
export function parseHostPort(value: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:[\]\s]+)):(\d{1,5})$/.exec(value.trim());
  const port = Number(match?.[3]);
  if (match === null || port > 65_535) return undefined;
  return { host: match[1] ?? match[2]!, port };
}
