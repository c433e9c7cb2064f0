-- Same users as services/mariadb.ts bootstrapUsers.
CREATE USER IF NOT EXISTS 'ferry_repl'@'%' IDENTIFIED BY 'ferry_repl';
GRANT REPLICATION SLAVE, BINLOG MONITOR, SELECT ON *.* TO 'ferry_repl'@'%';
CREATE USER IF NOT EXISTS 'ferry'@'%' IDENTIFIED BY 'ferry';
GRANT ALL PRIVILEGES ON *.* TO 'ferry'@'%' WITH GRANT OPTION;
