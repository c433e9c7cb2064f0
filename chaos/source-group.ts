import type { MariaDbInstance } from '../services/index.ts';
import { WriterGate } from './writer-gate.ts';

/** The source group's key in Ferry (`POST /datasources`). */
export const SOURCE_GROUP = 'chaos-source';

/** Ferry's names for the group's two members, fixed at creation; `active` says which one it reads. */
export type Member = 'master' | 'standby';

/**
 * Who is what in the source group, in one place. Ferry's data source names its members once
 * (`master` = the first server, `standby` = the second) and switches `active` between them; the
 * servers' own roles swap with every `source-switch`. `master()` is the server written to now
 * (the load, the probe, `source-kill` and the final check use it), `standby()` the one
 * replicating from it. `writers` is the gate the load's writers pass between transactions, so
 * that a switchover can hold them while the roles change.
 */
export class SourceGroup {
  private active: Member = 'master';
  readonly writers = new WriterGate();

  constructor(private readonly members: Readonly<Record<Member, MariaDbInstance>>) {}

  /** The member Ferry reads now (the group's `active`). */
  activeMember(): Member {
    return this.active;
  }

  /** The other member: where a switch goes. */
  otherMember(): Member {
    return this.active === 'master' ? 'standby' : 'master';
  }

  /** The server that is the group's master now: written to, read by Ferry. */
  master(): MariaDbInstance {
    return this.members[this.active];
  }

  /** The server replicating natively from master(). */
  standby(): MariaDbInstance {
    return this.members[this.otherMember()];
  }

  /** Called once the servers swapped roles and Ferry's group switched: master() is the former standby. */
  swapped(): void {
    this.active = this.otherMember();
  }
}
