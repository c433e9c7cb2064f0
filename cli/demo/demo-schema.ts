/** The demo's tables: a shop with orders (composite key) and customers (a secondary unique key). */
export const DEMO_SCHEMA = 'shop';

export const DEMO_TABLES = [
  `CREATE TABLE customers (
    id INT PRIMARY KEY,
    email VARCHAR(100) NOT NULL UNIQUE,
    name VARCHAR(100) NOT NULL,
    created DATETIME(6) NOT NULL
  )`,
  `CREATE TABLE orders (
    customer_id INT NOT NULL,
    order_no INT NOT NULL,
    amount DECIMAL(12,2) NOT NULL,
    status ENUM('new','paid','shipped','cancelled') NOT NULL,
    note TEXT NULL,
    updated TIMESTAMP(6) NOT NULL,
    PRIMARY KEY (customer_id, order_no)
  )`,
];
