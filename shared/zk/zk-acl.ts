import { createHash } from 'node:crypto';

/**
 * ZooKeeper access in Ferry's own terms, so that only zk-client.ts speaks the library's ACL
 * classes. An ACL entry grants `perms` (letters of 'cdrwa': create, delete, read, write,
 * admin) to one identity; digest identities are `user:base64(sha1(user:password))`, the form
 * ZooKeeper's DigestAuthenticationProvider (and Kafka's, and Canal's) uses.
 */

export interface ZkAcl {
  scheme: 'digest' | 'world';
  /** `user:base64(sha1(user:password))` for digest, `anyone` for world. */
  id: string;
  /** A subset of 'cdrwa', in that order. */
  perms: string;
}

/** A user and password for ZooKeeper's digest scheme (addauth digest user:password). */
export interface ZkCredentials {
  user: string;
  password: string;
}

/** What a ZkClient authenticates with and which ACL each znode it creates gets. */
export interface ZkAccess {
  /** Digest credentials added to the session before its first request (it acts as all of them); none: anonymous. */
  credentials?: readonly ZkCredentials[];
  /** The ACL a znode at `path` (inside the chroot) is created with. */
  aclFor(path: string): readonly ZkAcl[];
  /** Who this client is, for error messages (`user`, or 'anonymous'). */
  readonly identity: string;
}

export const ALL_PERMS = 'cdrwa';

/** world:anyone:cdrwa, what every znode got before ACLs (and still gets under --zk-insecure). */
export const OPEN_ACL: readonly ZkAcl[] = [{ scheme: 'world', id: 'anyone', perms: ALL_PERMS }];

export const INSECURE_ACCESS: ZkAccess = { aclFor: () => OPEN_ACL, identity: 'anonymous' };

/** The digest id ZooKeeper derives from credentials: what an ACL names (never the password). */
export function digestId({ user, password }: ZkCredentials): string {
  return `${user}:${createHash('sha1').update(`${user}:${password}`).digest('base64')}`;
}

/** Letters in canonical order, whatever order they came in. */
export function normalPerms(perms: string): string {
  return [...ALL_PERMS].filter((letter) => perms.includes(letter)).join('');
}

/** Same entries, whatever their order. */
export function sameAcl(a: readonly ZkAcl[], b: readonly ZkAcl[]): boolean {
  const key = (acl: readonly ZkAcl[]) => acl.map((e) => `${e.scheme}:${e.id}:${normalPerms(e.perms)}`).sort().join('\n');
  return key(a) === key(b);
}
