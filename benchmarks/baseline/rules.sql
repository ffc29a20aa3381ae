-- The cleaning rules of SPEC sections 2 and 6, as DuckDB macros shared by silver and gold.
-- TEMP: they live in this connection only, not in the database file.

-- Trimming removes spaces, tabs, CR and LF (SPEC 6); blank text is null.
CREATE TEMP MACRO trim_ws(s) AS trim(s, ' ' || chr(9) || chr(10) || chr(13));
CREATE TEMP MACRO clean_text(s) AS nullif(trim_ws(s), '');
-- Codes are compared trimmed and case-insensitively.
CREATE TEMP MACRO code(s) AS upper(trim_ws(s));

-- A plain digit string with an optional sign; 1.5, 1e3, text or beyond BIGINT -> null.
CREATE TEMP MACRO parse_int(s) AS
    CASE WHEN regexp_full_match(trim_ws(s), '[+-]?[0-9]+') THEN TRY_CAST(trim_ws(s) AS BIGINT) END;

-- Money: a decimal number of at most 13 integer digits, rounded to cents half away from zero.
CREATE TEMP MACRO parse_money(s) AS
    CASE WHEN regexp_full_match(trim_ws(s), '[+-]?([0-9]{1,13}(\.[0-9]*)?|\.[0-9]+)')
         THEN TRY_CAST(trim_ws(s) AS DECIMAL(18, 2)) END;

-- YYYY-MM-DD, YYYYMMDD or YYYY/MM/DD, zero-padded and on the calendar; year 0000 is no date.
CREATE TEMP MACRO iso_date(t) AS
    CASE WHEN regexp_full_match(t, '[0-9]{4}(-[0-9]{2}-[0-9]{2}|/[0-9]{2}/[0-9]{2}|[0-9]{4})')
              AND NOT starts_with(t, '0000')
         THEN TRY_CAST(
             CASE WHEN length(t) = 8 THEN substr(t, 1, 4) || '-' || substr(t, 5, 2) || '-' || substr(t, 7, 2)
                  ELSE replace(t, '/', '-') END
             AS DATE) END;
CREATE TEMP MACRO parse_date(s) AS iso_date(trim_ws(s));

-- money x count, exact; null where the product reaches 9e15 (beyond DECIMAL(18, 2) margins).
CREATE TEMP MACRO times_count(m, n) AS
    CASE WHEN abs(m * n) < 9000000000000000 THEN CAST(m * n AS DECIMAL(18, 2)) END;

-- amount / count in integer cents, rounded half away from zero (DuckDB's decimal division is a
-- double); a count beyond 1e15 is clipped there (the quotient is under a cent either way).
CREATE TEMP MACRO cents(m) AS CAST(m * 100 AS BIGINT);
CREATE TEMP MACRO divide_count(m, n) AS
    CASE WHEN n <> 0 AND abs(cents(m)) < 1000000000000000 THEN CAST(
        CASE WHEN (m < 0) <> (n < 0) THEN -1 ELSE 1 END
        * ((abs(cents(m)) * 2 + least(abs(n), 1000000000000000))
           // (least(abs(n), 1000000000000000) * 2))
        * 0.01 AS DECIMAL(18, 2)) END;

CREATE TEMP MACRO date_key(d) AS CAST(year(d) * 10000 + month(d) * 100 + day(d) AS INTEGER);
CREATE TEMP MACRO key_date(k) AS make_date(k // 10000, k // 100 % 100, k % 100);

-- Countries (ISO 3166-1 alpha-2) and the spellings the ERP uses for them: every ISO code and
-- every canonical name in any case is an alias of its country.
CREATE TEMP TABLE country_codes AS
SELECT * FROM (VALUES
    ('Australia', 'AU'), ('Austria', 'AT'), ('Belgium', 'BE'), ('Canada', 'CA'),
    ('China', 'CN'), ('Denmark', 'DK'), ('France', 'FR'), ('Germany', 'DE'), ('India', 'IN'),
    ('Ireland', 'IE'), ('Italy', 'IT'), ('Japan', 'JP'), ('Mexico', 'MX'),
    ('Netherlands', 'NL'), ('New Zealand', 'NZ'), ('Norway', 'NO'), ('Poland', 'PL'),
    ('Portugal', 'PT'), ('Spain', 'ES'), ('Sweden', 'SE'), ('Switzerland', 'CH'),
    ('United Kingdom', 'GB'), ('United States', 'US')
) AS t(country, country_code);

CREATE TEMP TABLE country_aliases AS
SELECT country_code AS alias, country FROM country_codes
UNION ALL
SELECT upper(country), country FROM country_codes
UNION ALL
SELECT * FROM (VALUES
    ('USA', 'United States'), ('UNITED STATES OF AMERICA', 'United States'),
    ('UK', 'United Kingdom'), ('GREAT BRITAIN', 'United Kingdom'), ('DEUTSCHLAND', 'Germany')
);

-- A location row's country: an alias resolved, blank -> n/a, otherwise trimmed as given.
CREATE TEMP VIEW location_rows AS
SELECT
    clean_text(replace(l.cid, '-', '')) AS customer_number,
    CASE WHEN clean_text(l.cntry) IS NULL THEN 'n/a'
         ELSE coalesce(a.country, clean_text(l.cntry)) END AS country,
    l._batch_id, l._source_file, l._source_row
FROM bronze.erp_loc_a101 AS l
LEFT JOIN country_aliases AS a ON a.alias = code(l.cntry);
