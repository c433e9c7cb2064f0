export { servicesUp, servicesDown, servicesStatus, restartMariaDb, stopMariaDb, DEFAULT_UP, type UpOptions, type ServicesStatus } from './control.ts';
export { ensureInstalled } from './install.ts';
export { findFreeBase, isPortFree } from './ports.ts';
export { isAlive, waitFor } from './processes.ts';
export { rootSql } from './mariadb.ts';
export { defaultStateDir, readState, mariaDbUrl, zkConnectString, zkSecureConnectString, type ServicesState, type MariaDbInstance, type ZooKeeperServer, type ZooKeeperTls } from './state.ts';
export { TcpProxy, type ProxyLink } from './tcp-proxy.ts';
export { WanProxy, mbitToBytesPerSecond, type WanProxyOptions, type WanStats, type DirectionStats, type Direction } from './wan-proxy.ts';
