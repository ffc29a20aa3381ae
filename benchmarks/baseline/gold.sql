-- Gold (SPEC section 3): the star schema, one CREATE TABLE AS SELECT per table.
-- Surrogate keys number the members 1, 2, ... in the order their natural key was first
-- delivered (batch, file path, row) over all of bronze; -1 is the unknown member.

-- The key maps: every country ever found in a location row with a customer number, and every
-- customer_id ever delivered, numbered (medallion keeps them as tables, so this does too).
CREATE TABLE gold.location_keys AS
SELECT country, row_number() OVER (ORDER BY first_delivery) AS location_key
FROM (
    SELECT country,
           min({'batch': _batch_id, 'file': _source_file, 'row': _source_row}) AS first_delivery
    FROM location_rows
    WHERE customer_number IS NOT NULL AND country <> 'n/a'
    GROUP BY country
);

CREATE TABLE gold.customer_keys AS
SELECT customer_id, row_number() OVER (ORDER BY first_delivery) AS customer_key
FROM (
    SELECT parse_int(cst_id) AS customer_id,
           min({'batch': _batch_id, 'file': _source_file, 'row': _source_row}) AS first_delivery
    FROM bronze.crm_cust_info
    GROUP BY customer_id
    HAVING customer_id IS NOT NULL
);

-- One row per country of the key map, with its ISO code; n/a is -1.
CREATE TABLE gold.dim_location AS
SELECT k.location_key, k.country, c.country_code
FROM gold.location_keys AS k
LEFT JOIN country_codes AS c USING (country)
UNION ALL
SELECT -1, 'n/a', NULL;

-- One row per CRM customer, with ERP birth date, gender fallback and location.
CREATE TABLE gold.dim_customer AS
SELECT k.customer_key, c.customer_id, c.customer_number, c.first_name, c.last_name,
       CASE WHEN c.gender <> 'n/a' THEN c.gender ELSE coalesce(d.gender, 'n/a') END AS gender,
       c.marital_status, d.birth_date, c.create_date,
       coalesce(l.location_key, -1) AS location_key
FROM silver.crm_customers AS c
JOIN gold.customer_keys AS k ON k.customer_id = c.customer_id
LEFT JOIN silver.erp_customer_demographics AS d ON d.customer_number = c.customer_number
LEFT JOIN silver.erp_customer_locations AS e ON e.customer_number = c.customer_number
LEFT JOIN gold.dim_location AS l ON l.country = e.country AND l.location_key <> -1
UNION ALL
SELECT -1, NULL, 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', NULL, NULL, NULL;

-- One row per product number: its current version (latest start date, null earliest; then the
-- higher prd_id), with the ERP category.
CREATE TABLE gold.dim_product AS
WITH keys AS (
    SELECT product_number, row_number() OVER (ORDER BY first_delivery) AS product_key
    FROM (
        SELECT clean_text(substr(clean_text(prd_key), 7)) AS product_number,
               min({'batch': _batch_id, 'file': _source_file, 'row': _source_row})
                   AS first_delivery
        FROM bronze.crm_prd_info
        WHERE parse_int(prd_id) IS NOT NULL
        GROUP BY product_number
        HAVING product_number IS NOT NULL
    )
),
current_versions AS (
    SELECT *
    FROM silver.crm_products
    QUALIFY row_number() OVER (
        PARTITION BY product_number ORDER BY start_date DESC NULLS LAST, product_id DESC
    ) = 1
)
SELECT k.product_key, p.product_id, p.product_number, p.product_name, p.category_id,
       coalesce(c.category, 'n/a') AS category,
       coalesce(c.subcategory, 'n/a') AS subcategory,
       c.maintenance_required, p.product_line, p.cost, p.start_date
FROM current_versions AS p
JOIN keys AS k ON k.product_number = p.product_number
LEFT JOIN silver.erp_product_categories AS c ON c.category_id = p.category_id
UNION ALL
SELECT -1, NULL, 'n/a', 'n/a', 'n/a', 'n/a', 'n/a', NULL, 'n/a', NULL, NULL;

-- Every day of the whole years that hold an order, ship or due date.
CREATE TABLE gold.dim_date AS
WITH sales_dates AS (
    SELECT order_date AS d FROM silver.crm_sales
    UNION ALL SELECT ship_date FROM silver.crm_sales
    UNION ALL SELECT due_date FROM silver.crm_sales
),
years AS (
    SELECT year(min(d)) AS first_year, year(max(d)) AS last_year FROM sales_dates
),
days AS (
    SELECT CAST(t.day AS DATE) AS d
    FROM years, generate_series(
        make_date(first_year, 1, 1), make_date(last_year, 12, 31), INTERVAL 1 DAY
    ) AS t(day)
    WHERE first_year IS NOT NULL
)
SELECT date_key(d) AS date_key,
       d AS date,
       CAST(year(d) AS INTEGER) AS year,
       CAST(quarter(d) AS INTEGER) AS quarter,
       CAST(month(d) AS INTEGER) AS month,
       monthname(d) AS month_name,
       CAST(day(d) AS INTEGER) AS day_of_month,
       CAST(isodow(d) AS INTEGER) AS day_of_week,
       dayname(d) AS day_name,
       CAST(week(d) AS INTEGER) AS iso_week,
       CAST(year(d) AS VARCHAR) || '-' || lpad(CAST(month(d) AS VARCHAR), 2, '0') AS year_month,
       isodow(d) >= 6 AS is_weekend
FROM days
UNION ALL
SELECT -1, NULL, NULL, NULL, NULL, 'n/a', NULL, NULL, 'n/a', NULL, 'n/a', NULL;

-- One row per order line; an unknown customer or product points to -1, and an unknown product
-- has no cost (cost and profit null).
CREATE TABLE gold.fact_sales AS
SELECT s.order_number,
       coalesce(p.product_key, -1) AS product_key,
       coalesce(c.customer_key, -1) AS customer_key,
       coalesce(c.location_key, -1) AS location_key,
       date_key(s.order_date) AS order_date_key,
       date_key(s.ship_date) AS ship_date_key,
       date_key(s.due_date) AS due_date_key,
       s.quantity, s.price, s.sales_amount,
       times_count(p.cost, s.quantity) AS cost_amount,
       CAST(s.sales_amount - times_count(p.cost, s.quantity) AS DECIMAL(18, 2)) AS profit
FROM silver.crm_sales AS s
LEFT JOIN gold.dim_product AS p ON p.product_number = s.product_number AND p.product_key <> -1
LEFT JOIN gold.dim_customer AS c ON c.customer_id = s.customer_id AND c.customer_key <> -1;

-- One row per order: its customer is the known one with the smallest customer_id; earliest
-- order date, latest ship and due dates; days_to_ship = latest ship - earliest order date.
CREATE TABLE gold.fact_orders AS
WITH customers AS (
    SELECT customer_key, customer_id, location_key
    FROM gold.dim_customer
    WHERE customer_key <> -1
),
orders AS (
    SELECT f.order_number,
           min(c.customer_id) AS customer_id,
           min(f.order_date_key) AS order_date_key,
           max(f.ship_date_key) AS ship_date_key,
           max(f.due_date_key) AS due_date_key,
           count(*) AS line_count,
           CAST(sum(f.quantity) AS BIGINT) AS quantity,
           CAST(sum(f.sales_amount) AS DECIMAL(18, 2)) AS sales_amount,
           CAST(sum(f.cost_amount) AS DECIMAL(18, 2)) AS cost_amount,
           CAST(sum(f.profit) AS DECIMAL(18, 2)) AS profit
    FROM gold.fact_sales AS f
    LEFT JOIN customers AS c ON c.customer_key = f.customer_key
    GROUP BY f.order_number
)
SELECT o.order_number,
       coalesce(c.customer_key, -1) AS customer_key,
       coalesce(c.location_key, -1) AS location_key,
       o.order_date_key, o.ship_date_key, o.due_date_key,
       o.line_count, o.quantity, o.sales_amount, o.cost_amount, o.profit,
       CAST(key_date(o.ship_date_key) - key_date(o.order_date_key) AS INTEGER) AS days_to_ship
FROM orders AS o
LEFT JOIN customers AS c ON c.customer_id = o.customer_id;
