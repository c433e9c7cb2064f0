-- Same application user as services/mariadb.ts bootstrapUsers.
CREATE USER IF NOT EXISTS 'ferry'@'%' IDENTIFIED BY 'ferry';
GRANT ALL PRIVILEGES ON *.* TO 'ferry'@'%' WITH GRANT OPTION;
