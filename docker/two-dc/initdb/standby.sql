-- The standby of dc-a: the same users as the source (Ferry reads it after a switch, and a
-- node measures its health), created outside the binlog so that the standby holds no
-- transaction of its own; then native replication from the source by GTID, as
-- test/support/standby-group.ts sets it up. The server keeps this across restarts.
SET SESSION sql_log_bin = 0;
CREATE USER IF NOT EXISTS 'ferry_repl'@'%' IDENTIFIED BY 'ferry_repl';
GRANT REPLICATION SLAVE, BINLOG MONITOR, SLAVE MONITOR, SELECT ON *.* TO 'ferry_repl'@'%';
CREATE USER IF NOT EXISTS 'ferry'@'%' IDENTIFIED BY 'ferry';
GRANT ALL PRIVILEGES ON *.* TO 'ferry'@'%' WITH GRANT OPTION;
SET SESSION sql_log_bin = 1;
CHANGE MASTER TO MASTER_HOST = 'source', MASTER_PORT = 3306, MASTER_USER = 'ferry_repl',
  MASTER_PASSWORD = 'ferry_repl', MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 5;
START SLAVE;
