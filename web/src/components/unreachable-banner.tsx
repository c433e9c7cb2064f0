import { useEffect, useState } from 'preact/hooks';
import { connection, type ConnectionState } from '../api/connection.ts';
import { liveOtherManager, moveTo } from '../failover.ts';
import { formatTime } from '../format.ts';

/** Failed requests in a row before the page looks for another manager (two polls: about 4 s). */
const FAILURES_BEFORE_FAILOVER = 2;

/** Says when this manager stops answering, and moves the page to one that answers. */
export function UnreachableBanner({ token }: { token: string }) {
  const [state, setState] = useState<ConnectionState>(connection.get());
  const [searching, setSearching] = useState(false);
  const [noOther, setNoOther] = useState(false);
  useEffect(() => connection.subscribe(setState), []);

  useEffect(() => {
    if (state.failures < FAILURES_BEFORE_FAILOVER || searching) return;
    setSearching(true);
    void liveOtherManager().then((url) => {
      if (url !== undefined) moveTo(url, token);
      else {
        setNoOther(true);
        setSearching(false);
      }
    });
  }, [state.failures, searching, token]);

  if (state.unreachableSince === null) return null;
  return (
    <div class="banner" role="alert">
      The manager at {location.host} is unreachable since {formatTime(new Date(state.unreachableSince).toISOString())}.{' '}
      {searching ? 'Looking for another manager of the cluster…' : noOther ? 'No other manager answers either; retrying every 2 s.' : 'Retrying…'}
    </div>
  );
}
