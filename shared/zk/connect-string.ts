/**
 * Checks a ZooKeeper connection string ('host:port[,host:port...][/chroot]') before any
 * connection is tried: node-zookeeper-client takes almost anything and only times out later
 * (a bad one was found 19 s after start). Undefined when it is well formed, else what is wrong.
 */
export function zkConnectStringProblem(text: string): string | undefined {
  const slash = text.indexOf('/');
  const servers = slash < 0 ? text : text.slice(0, slash);
  const chroot = slash < 0 ? undefined : text.slice(slash);
  const expected = "takes host:port[,host:port...][/chroot]";
  if (servers.trim() === '') return `${expected}, got '${text}'`;
  for (const server of servers.split(',')) {
    const match = /^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):(\d{1,5})$/.exec(server);
    if (match === null) return `${expected}; '${server}' is not host:port`;
    const port = Number(match[2]);
    if (port < 1 || port > 65535) return `${expected}; port ${match[2]} of '${server}' is not 1..65535`;
  }
  if (chroot !== undefined && (chroot === '/' || chroot.endsWith('/') || chroot.includes('//') || /\s/.test(chroot))) {
    return `${expected}; the chroot '${chroot}' must be a path such as /ferry-prod (no trailing '/')`;
  }
  return undefined;
}
