"""Bad input, one case per situation real exports produce: what lands, what is quarantined, what
is said, and for every ingested file: rows in file = rows in bronze + rows quarantined."""

from __future__ import annotations

import csv
import io
import os
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from rich.console import Console

from medallion.cli import main
from medallion.config import Settings
from medallion.engines import connect
from medallion.ingest import FileOutcome, IngestPolicy, IngestReport, ingest
from medallion.ingest.landing import odd_name
from medallion.report import print_status
from medallion.status import warehouse_status
from tests.conftest import AS_OF, REPO

LOC = "erp/loc_a101/data"
CUST = "crm/cust_info/data"
CUSTOMERS = (
    "cst_id,cst_key,cst_firstname,cst_lastname,cst_marital_status,cst_gndr,cst_create_date\n"
    "1,AW1,Ann,Lee,S,F,2020-01-01\n"
    "2,AW2,Bob,Ray,M,M,2020-01-02\n"
)


def data_records(data: bytes) -> int:
    """Data records in a CSV file, counted independently of medallion's reader with Python's
    csv module on the same bytes: records after the header, blank lines not counted."""
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    records = [r for r in csv.reader(io.StringIO(text, newline="")) if r and "".join(r).strip()]
    return max(len(records) - 1, 0)


class Zone:
    """A landing zone and a warehouse under one test folder."""

    def __init__(self, root: Path) -> None:
        self.landing, self.warehouse = root / "landing", root / "wh"
        self.landing.mkdir(parents=True)
        self.written: dict[str, bytes] = {}

    def write(self, rel: str, data: str | bytes) -> Path:
        path = self.landing / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        raw = data.encode("utf-8") if isinstance(data, str) else data
        path.write_bytes(raw)
        self.written[rel] = raw
        return path

    def ingest(self, **policy: object) -> IngestReport:
        engine = connect(Settings(landing=self.landing, warehouse=self.warehouse, as_of=AS_OF))
        try:
            return ingest(engine, self.landing, policy=IngestPolicy(**policy))  # type: ignore[arg-type]
        finally:
            engine.close()

    def sql(self, query: str) -> list[tuple]:
        with duckdb.connect(str(self.warehouse / "medallion.duckdb"), read_only=True) as con:
            return con.execute(query).fetchall()

    def bronze(self, table: str, columns: str, rel: str) -> list[tuple]:
        return self.sql(
            f"select {columns} from bronze.{table} where _source_file = '{rel}' "
            "order by _batch_id, _source_row"
        )

    def quarantine(self, rel: str) -> list[tuple]:
        if not self.sql("select * from duckdb_tables() where table_name = 'quarantine'"):
            return []
        return self.sql(
            "select _source_row, raw_text, reason from bronze.quarantine "
            f"where _source_file = '{rel}' order by _batch_id, _source_row"
        )

    def ledger(self, rel: str) -> list[tuple]:
        if not self.sql("select * from duckdb_tables() where table_name = 'file_ledger'"):
            return []
        return self.sql(
            "select status, rows, quarantined, batch_id from meta.file_ledger "
            f"where path = '{rel}' order by batch_id, ingested_at"
        )

    def accounted(self, table: str, rel: str, batch: int | None = None) -> None:
        """Rows in file = rows in bronze + rows quarantined, for one delivery of ``rel``."""
        where = f"_source_file = '{rel}'" + (f" and _batch_id = {batch}" if batch else "")
        landed = self.sql(f"select count(*) from bronze.{table} where {where}")[0][0]
        quarantined = (
            self.sql(f"select count(*) from bronze.quarantine where {where}")[0][0]
            if self.quarantine(rel)
            else 0
        )
        assert data_records(self.written[rel]) == landed + quarantined


def outcome(report: IngestReport, rel: str) -> FileOutcome:
    [found] = [f for f in report.files if f.path == rel]
    return found


@pytest.fixture
def zone(tmp_path: Path) -> Zone:
    return Zone(tmp_path)


# --- encodings and line endings ----------------------------------------------------------------


def test_utf8_with_bom_and_a_quoted_header(zone: Zone) -> None:
    zone.write(f"{LOC}/bom.csv", b'\xef\xbb\xbf"CID","CNTRY"\nAW-1,DE\n')
    zone.write(f"{LOC}/plain.csv", b"CID,CNTRY\nAW-2,US\n")
    report = zone.ingest()
    assert [(f.status, f.rows, f.message) for f in report.files] == [("ingested", 1, None)] * 2
    assert zone.bronze("erp_loc_a101", "cid, cntry", f"{LOC}/bom.csv") == [("AW-1", "DE")]
    assert zone.quarantine(f"{LOC}/bom.csv") == []
    zone.accounted("erp_loc_a101", f"{LOC}/bom.csv")


def test_crlf_line_endings(zone: Zone) -> None:
    rel = f"{LOC}/crlf.csv"
    zone.write(rel, b'CID,CNTRY\r\nAW-1,DE\r\n\r\nAW-2,"US"\r\n')
    assert outcome(zone.ingest(), rel).rows == 2
    assert zone.bronze("erp_loc_a101", "cid, cntry, _source_row", rel) == [
        ("AW-1", "DE", 1),
        ("AW-2", "US", 3),  # the blank line is numbered, not loaded
    ]
    assert zone.sql("select blank_lines from meta.file_ledger") == [(1,)]
    zone.accounted("erp_loc_a101", rel)


# --- quoting -------------------------------------------------------------------------------------


def test_quoted_field_with_a_comma(zone: Zone) -> None:
    rel = f"{LOC}/comma.csv"
    zone.write(rel, 'CID,CNTRY\nAW-1,"Korea, Republic of"\nAW-2,"say ""hi"""\n')
    zone.ingest()
    assert zone.bronze("erp_loc_a101", "cid, cntry", rel) == [
        ("AW-1", "Korea, Republic of"),
        ("AW-2", 'say "hi"'),
    ]
    zone.accounted("erp_loc_a101", rel)


def test_quoted_field_spanning_lines_is_one_record(zone: Zone) -> None:
    rel = f"{LOC}/newline.csv"
    zone.write(rel, 'CID,CNTRY\nAW-1,DE\nAW-2,"United\nStates"\nAW-3,FR\n')
    assert outcome(zone.ingest(), rel).rows == 3
    # _source_row numbers records, not physical lines (docs/decisions.md, Row numbers).
    assert zone.bronze("erp_loc_a101", "cid, cntry, _source_row", rel) == [
        ("AW-1", "DE", 1),
        ("AW-2", "United\nStates", 2),
        ("AW-3", "FR", 3),
    ]
    zone.accounted("erp_loc_a101", rel)


def test_unterminated_quote_is_quarantined_not_swallowed_silently(zone: Zone) -> None:
    rel = f"{LOC}/open_quote.csv"
    # A quote never closed would otherwise swallow every following line into one field.
    zone.write(rel, 'CID,CNTRY\nAW-1,DE\nAW-2,"US\nAW-3,FR\n')
    report = zone.ingest()
    assert (outcome(report, rel).rows, outcome(report, rel).quarantined) == (1, 1)
    assert zone.quarantine(rel) == [
        (2, 'AW-2,"US\nAW-3,FR', "unparseable CSV: unexpected end of data")
    ]
    zone.accounted("erp_loc_a101", rel)


# --- header differences --------------------------------------------------------------------------


def test_header_case_differences(zone: Zone) -> None:
    rel = f"{CUST}/upper.csv"
    zone.write(rel, CUSTOMERS.replace("cst_id,cst_key", "CST_ID,Cst_Key", 1))
    report = zone.ingest()
    assert outcome(report, rel).message is None  # the same columns, nothing missing or new
    assert zone.bronze("crm_cust_info", "cst_id, cst_key", rel) == [("1", "AW1"), ("2", "AW2")]
    zone.accounted("crm_cust_info", rel)


def test_column_order_differences(zone: Zone) -> None:
    zone.write(f"{LOC}/a.csv", "CID,CNTRY\nAW-1,DE\n")
    zone.write(f"{LOC}/b.csv", "CNTRY,CID\nUS,AW-2\n")
    report = zone.ingest()
    assert [f.message for f in report.files] == [None, None]
    assert zone.sql("select cid, cntry from bronze.erp_loc_a101 order by cid") == [
        ("AW-1", "DE"),
        ("AW-2", "US"),
    ]
    zone.accounted("erp_loc_a101", f"{LOC}/b.csv")


# --- schema evolution: the four modes ------------------------------------------------------------

EXTRA = "CID,CNTRY,Region,ZipCode\nAW-1,DE,West,\nAW-2,US,,\n"


def test_extra_column_add_new_columns(zone: Zone) -> None:
    zone.write(f"{LOC}/old.csv", "CID,CNTRY\nAW-0,FR\n")
    rel = zone.write(f"{LOC}/new.csv", EXTRA).relative_to(zone.landing).as_posix()
    report = zone.ingest()
    assert outcome(report, rel).message == "new column(s) region, zip_code (added to bronze)"
    assert zone.sql(
        "select cid, cntry, region, zip_code from bronze.erp_loc_a101 order by cid"
    ) == [("AW-0", "FR", None, None), ("AW-1", "DE", "West", None), ("AW-2", "US", None, None)]
    zone.accounted("erp_loc_a101", rel)


def test_extra_column_rescue(zone: Zone) -> None:
    # region became part of the table under add_new_columns: from then on it is known.
    zone.write(f"{LOC}/1.csv", "CID,CNTRY,Region\nAW-0,FR,North\n")
    zone.ingest()
    rel = f"{LOC}/2.csv"
    zone.write(rel, "CID,CNTRY,Region,ZipCode,Note\nAW-1,DE,West,10115,\nAW-2,US,,,\n")
    report = zone.ingest(schema_evolution={"erp_loc_a101": "rescue"})
    assert (
        outcome(report, rel).message
        == "new column(s) zip_code, note kept in _rescued_data (mode rescue)"
    )
    assert zone.bronze("erp_loc_a101", "cid, cntry, region, _rescued_data", rel) == [
        ("AW-1", "DE", "West", '{"zip_code": "10115"}'),
        ("AW-2", "US", None, None),
    ]
    columns = {
        r[0]
        for r in zone.sql(
            "select column_name from duckdb_columns() where table_name = 'erp_loc_a101'"
        )
    }
    assert "zip_code" not in columns and "note" not in columns
    zone.accounted("erp_loc_a101", rel)


def test_extra_column_fail_on_new_columns(zone: Zone) -> None:
    good = zone.write(f"{LOC}/a.csv", "CID,CNTRY\nAW-0,FR\n")
    rel = f"{LOC}/b.csv"
    zone.write(rel, EXTRA)
    report = zone.ingest(schema_evolution={"erp_loc_a101": "fail_on_new_columns"})
    failed = outcome(report, rel)
    assert failed.status == "failed" and report.failed == [failed]
    assert failed.message is not None and failed.message.startswith(
        f"{rel}: new column(s) region, zip_code"
    )
    assert "fail_on_new_columns" in failed.message and "drop the file again" in failed.message
    assert zone.bronze("erp_loc_a101", "cid", rel) == [] and zone.quarantine(rel) == []
    assert zone.ledger(rel) == [("failed", 0, 0, 1)]
    assert outcome(report, f"{LOC}/a.csv").rows == 1 and good.exists()  # the run went on


def test_extra_column_none(zone: Zone) -> None:
    rel = f"{LOC}/extra.csv"
    zone.write(rel, EXTRA)
    report = zone.ingest(schema_evolution={"erp_loc_a101": "none"})
    assert (
        outcome(report, rel).message
        == "new column(s) region, zip_code dropped (schema evolution mode none)"
    )
    assert zone.bronze("erp_loc_a101", "*", rel)[0][:2] == ("AW-1", "DE")
    assert zone.sql("select count(*) from duckdb_columns() where column_name = 'region'") == [(0,)]
    zone.accounted("erp_loc_a101", rel)


def test_missing_optional_column_is_null(zone: Zone) -> None:
    rel = f"{CUST}/short.csv"
    zone.write(rel, "cst_id,cst_key,cst_firstname\n1,AW1,Ann\n")
    report = zone.ingest()
    assert outcome(report, rel).message == (
        "missing column(s) cst_create_date, cst_gndr, cst_lastname, cst_marital_status "
        "(null in bronze)"
    )
    assert zone.bronze("crm_cust_info", "cst_id, cst_firstname, cst_lastname, cst_gndr", rel) == [
        ("1", "Ann", None, None)
    ]
    zone.accounted("crm_cust_info", rel)


# --- empty files ---------------------------------------------------------------------------------


def test_empty_file(zone: Zone) -> None:
    rel = f"{LOC}/empty.csv"
    zone.write(rel, b"")
    found = outcome(zone.ingest(), rel)
    assert (found.status, found.rows, found.quarantined, found.message) == (
        "empty",
        0,
        0,
        "0-byte file",
    )
    assert zone.ledger(rel) == [("empty", 0, 0, 1)]
    zone.ingest()  # recorded once
    assert zone.ledger(rel) == [("empty", 0, 0, 1)]


def test_blank_lines_only_is_empty_and_blank_lines_before_the_header_are_skipped(
    zone: Zone,
) -> None:
    zone.write(f"{LOC}/blank.csv", "\n \r\n\n")
    zone.write(f"{LOC}/lead.csv", "\n\nCID,CNTRY\nAW-1,DE\n")
    report = zone.ingest()
    blank = outcome(report, f"{LOC}/blank.csv")
    assert (blank.status, blank.message) == ("empty", "blank lines only, no header")
    assert zone.bronze("erp_loc_a101", "cid, _source_row", f"{LOC}/lead.csv") == [("AW-1", 1)]
    zone.accounted("erp_loc_a101", f"{LOC}/lead.csv")


def test_header_only_file(zone: Zone) -> None:
    rel = f"{LOC}/header.csv"
    zone.write(rel, "CID,CNTRY\r\n")
    found = outcome(zone.ingest(), rel)
    assert (found.status, found.rows, found.quarantined, found.message) == ("ingested", 0, 0, None)
    assert zone.bronze("erp_loc_a101", "cid", rel) == []
    zone.accounted("erp_loc_a101", rel)


# --- bad rows ------------------------------------------------------------------------------------


def test_undecodable_bytes_in_a_row(zone: Zone) -> None:
    rel = f"{LOC}/latin1.csv"
    zone.write(rel, b"CID,CNTRY\nAW-1,Espa\xf1a\nAW-2,US\n")
    found = outcome(zone.ingest(), rel)
    assert (found.status, found.rows, found.quarantined) == ("ingested", 1, 1)
    assert zone.bronze("erp_loc_a101", "cid, _source_row", rel) == [("AW-2", 2)]
    assert zone.quarantine(rel) == [(1, "AW-1,Espa\ufffda", "undecodable bytes (not UTF-8)")]
    zone.accounted("erp_loc_a101", rel)


def test_nul_bytes_in_a_row(zone: Zone) -> None:
    rel = f"{LOC}/nul.csv"
    zone.write(rel, b"CID,CNTRY\nAW-1,D\x00E\nAW-2,US\n")
    assert outcome(zone.ingest(), rel).quarantined == 1
    assert zone.quarantine(rel) == [(1, "AW-1,D\ufffdE", "NUL bytes (binary data, not text)")]
    assert zone.bronze("erp_loc_a101", "cid", rel) == [("AW-2",)]
    zone.accounted("erp_loc_a101", rel)


def test_too_many_fields(zone: Zone) -> None:
    rel = f"{LOC}/wide.csv"
    zone.write(rel, 'CID,CNTRY\nAW-1,DE,extra\nAW-2,US\nAW-3,"a,b",c\n')
    assert outcome(zone.ingest(), rel).quarantined == 2
    assert zone.bronze("erp_loc_a101", "cid, cntry, _source_row", rel) == [("AW-2", "US", 2)]
    assert zone.quarantine(rel) == [
        (1, "AW-1,DE,extra", "expected 2 fields, found 3"),
        (3, 'AW-3,"a,b",c', "expected 2 fields, found 3"),
    ]
    zone.accounted("erp_loc_a101", rel)


def test_too_few_fields(zone: Zone) -> None:
    rel = f"{CUST}/narrow.csv"
    zone.write(rel, CUSTOMERS + "3,AW3,Cy\n")
    assert outcome(zone.ingest(), rel).quarantined == 1
    assert zone.quarantine(rel) == [(3, "3,AW3,Cy", "expected 7 fields, found 3")]
    assert zone.bronze("crm_cust_info", "cst_id", rel) == [("1",), ("2",)]
    zone.accounted("crm_cust_info", rel)


# --- not CSV at all ------------------------------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4


@pytest.mark.parametrize(
    ("data", "looks_like"),
    [
        (PNG, "a PNG image"),
        (b"PK\x03\x04\x14\x00\x06\x00" + bytes(200), "a ZIP archive (an .xlsx workbook is one)"),
        (b'[{"cst_id": 1, "cst_key": "AW1"}]\n', "a JSON document"),
        (b'{"cid": "AW-1",\n "cntry": "DE"}\n', "a JSON document"),
        (
            "CID,CNTRY\nAW-1,DE\n".encode("utf-16-le"),
            "binary data or UTF-16 text (NUL bytes in the first line)",
        ),
        ("\ufeffCID,CNTRY\nAW-1,DE\n".encode("utf-16"), "UTF-16 text (byte order mark FF FE)"),
        (b"<html><body>Session expired</body></html>\n", "an XML or HTML document"),
    ],
    ids=["png", "zip", "json-array", "json-object", "utf16-no-bom", "utf16-bom", "html"],
)
def test_file_that_is_not_csv_fails_and_the_run_goes_on(
    zone: Zone, data: bytes, looks_like: str
) -> None:
    rel = f"{LOC}/export.csv"
    zone.write(rel, data)
    zone.write(f"{LOC}/good.csv", "CID,CNTRY\nAW-1,DE\n")
    report = zone.ingest()
    failed = outcome(report, rel)
    assert report.failed == [failed]
    assert failed.message == (
        f"{rel}: not a CSV file: it looks like {looks_like}; export the table as CSV (UTF-8) "
        "and drop that file instead"
    )
    assert zone.bronze("erp_loc_a101", "cid", rel) == [] and zone.quarantine(rel) == []
    assert zone.ledger(rel) == [("failed", 0, 0, 1)]
    assert outcome(report, f"{LOC}/good.csv").rows == 1


def test_header_not_utf8_rejects_the_file(zone: Zone) -> None:
    rel = f"{LOC}/latin1_header.csv"
    zone.write(rel, b"C\xefD,CNTRY\nAW-1,DE\n")
    assert outcome(zone.ingest(), rel).message == (
        f"{rel}: header is not UTF-8 text; re-export the file as UTF-8 (with or without BOM)"
    )


def test_failed_file_makes_the_cli_exit_1_after_the_others(zone: Zone) -> None:
    zone.write(f"{LOC}/picture.csv", PNG)
    zone.write(f"{CUST}/a.csv", CUSTOMERS)
    result = CliRunner().invoke(
        main, ["run", "--landing", str(zone.landing), "--warehouse", str(zone.warehouse)]
    )
    assert result.exit_code == 1
    said = "".join(result.output.split())  # the terminal wraps long lines anywhere
    assert f"failed:{LOC}/picture.csv:notaCSVfile:itlookslikeaPNGimage" in said
    assert "Error:1file(s)failedtoingest" in said
    assert zone.sql("select count(*) from gold.dim_customer where customer_key > 0") == [(2,)]


# --- the landing zone: what is read at all -------------------------------------------------------


def test_symlink_outside_the_landing_root_is_refused(zone: Zone, tmp_path: Path) -> None:
    outside = tmp_path / "secret.csv"
    outside.write_text("CID,CNTRY\nAW-9,XX\n")
    (zone.landing / LOC).mkdir(parents=True)
    (zone.landing / LOC / "link.csv").symlink_to(outside)
    inside = zone.write("shared/loc.csv", "CID,CNTRY\nAW-1,DE\n")
    (zone.landing / LOC / "inner.csv").symlink_to(inside)
    (zone.landing / LOC / "linked_folder").symlink_to(tmp_path, target_is_directory=True)
    report = zone.ingest()
    assert [f.path for f in report.files] == [f"{LOC}/inner.csv"]  # a link inside is fine
    assert sorted(report.warnings) == [
        f"{LOC}/link.csv: refused, a symlink to {outside.resolve()} outside the landing root "
        f"{zone.landing.resolve()}; copy the file into the landing zone instead",
        f"{LOC}/linked_folder: symlinked folder, not followed; link the files themselves or "
        "move the folder into the landing zone",
        "shared/loc.csv: not under a known table folder (<source>/<table>/data/ with one of "
        "crm/cust_info, crm/prd_info, crm/sales_details, erp/cust_az12, erp/loc_a101, "
        "erp/px_cat_g1v2); ignored",
    ]
    assert zone.ledger(f"{LOC}/link.csv") == []
    assert zone.sql("select cid from bronze.erp_loc_a101") == [("AW-1",)]


@pytest.mark.parametrize(
    ("name", "shown", "reason"),
    [
        (b"bad\nname.csv", "bad\\nname.csv", "contains a control character (newline, tab, ...)"),
        (b"tab\there.csv", "tab\\there.csv", "contains a control character (newline, tab, ...)"),
        (b"-rf.csv", "-rf.csv", "starts with '-' (shell tools would read it as an option)"),
        (b"caf\xe9.csv", "caf\\udce9.csv", "is not valid UTF-8"),
    ],
    ids=["newline", "tab", "dash", "not-utf8"],
)
def test_odd_file_name_is_refused(zone: Zone, name: bytes, shown: str, reason: str) -> None:
    folder = zone.landing / LOC
    folder.mkdir(parents=True)
    with open(os.path.join(os.fsencode(folder), name), "wb") as odd:
        odd.write(b"CID\nX\n")
    zone.write(f"{LOC}/good.csv", "CID,CNTRY\nAW-1,DE\n")
    report = zone.ingest()
    assert [f.path for f in report.files] == [f"{LOC}/good.csv"]
    assert report.warnings == [
        f"{LOC}/{shown}: refused, the name {reason}; "
        "rename it to plain printable UTF-8 to have it ingested"
    ]
    assert zone.sql("select count(*) from meta.file_ledger") == [(1,)]


def test_name_longer_than_255_bytes_is_odd() -> None:
    # No common file system stores such a name, so the rule is checked on its own.
    assert odd_name("é" * 128 + ".csv") == "is longer than 255 bytes"
    assert odd_name("a" * 251 + ".csv") is None


def test_temporary_and_hidden_files_are_ignored_silently(zone: Zone) -> None:
    for name in ("a.csv.part", "a.csv.tmp", "a.csv.crdownload", "_SUCCESS", ".a.csv", "~$a.csv"):
        zone.write(f"{LOC}/{name}", "CID,CNTRY\nAW-1,DE\n")
    zone.write(f"{LOC}/_temporary/0/part-0000.csv", "CID,CNTRY\nAW-1,DE\n")
    os.mkfifo(zone.landing / LOC / "pipe.csv")  # must not hang the run
    report = zone.ingest()
    assert report.files == [] and report.warnings == [
        f"{LOC}/pipe.csv: not a regular file (a pipe or device?); ignored"
    ]


# --- the same file again -------------------------------------------------------------------------


def test_modified_file_is_reported_once_and_skipped(zone: Zone) -> None:
    rel = f"{CUST}/a.csv"
    path = zone.write(rel, CUSTOMERS)
    zone.ingest()
    zone.write(rel, CUSTOMERS + "3,AW3,Cy,Day,S,M,2020-01-03\n")
    os.utime(path, ns=(1, 2_000_000_000))
    report = zone.ingest()
    assert report.batch_id is None and report.files == []
    [skipped] = report.skipped_files
    assert skipped.status == "skipped_modified"
    assert report.warnings == [
        f"{rel}: changed since it was ingested in batch 1 (other size or modification time); "
        "not ingested again (on_modified=skip). Drop changed data as a new file, or ingest with "
        "on_modified='reingest' to load this version as a new delivery."
    ]
    assert zone.bronze("crm_cust_info", "cst_id", rel) == [("1",), ("2",)]
    quiet = zone.ingest()
    assert quiet.warnings == [] and quiet.skipped == 1  # reported once
    assert zone.ledger(rel) == [("ingested", 2, 0, 1), ("skipped_modified", 0, 0, 2)]


def test_modified_file_reingested_as_a_new_delivery(zone: Zone) -> None:
    rel = f"{CUST}/a.csv"
    zone.write(rel, CUSTOMERS)
    zone.ingest()
    zone.write(rel, CUSTOMERS.replace("Ann", "Anna") + "3,AW3,Cy,Day,S,M,2020-01-03\n")
    report = zone.ingest(on_modified="reingest")
    found = outcome(report, rel)
    assert (report.batch_id, found.rows) == (2, 3)
    assert found.message is not None and "on_modified=reingest" in found.message
    assert zone.bronze("crm_cust_info", "_batch_id, cst_firstname", rel) == [
        (1, "Ann"),
        (1, "Bob"),
        (2, "Anna"),
        (2, "Bob"),
        (2, "Cy"),
    ]
    zone.accounted("crm_cust_info", rel, batch=2)


def test_touched_file_under_reingest_is_caught_as_the_same_bytes(zone: Zone) -> None:
    rel = f"{CUST}/a.csv"
    path = zone.write(rel, CUSTOMERS)
    zone.ingest()
    os.utime(path, ns=(1, 2_000_000_000))
    report = zone.ingest(on_modified="reingest")
    assert [s.status for s in report.skipped_files] == ["skipped_duplicate"]
    assert zone.sql("select count(*) from bronze.crm_cust_info") == [(2,)]


def test_duplicate_under_a_new_name_is_reported_and_skipped(zone: Zone) -> None:
    zone.write(f"{CUST}/a.csv", CUSTOMERS)
    zone.ingest()
    zone.write(f"{CUST}/copy_of_a.csv", CUSTOMERS)
    zone.write(f"{CUST}/copy_again.csv", CUSTOMERS)  # same bytes twice in one run
    report = zone.ingest()
    assert report.batch_id is None
    assert report.warnings == [
        f"{CUST}/{name}: same bytes as {CUST}/a.csv, so its rows would land twice; "
        "not ingested (on_duplicate=skip). If it is a real second delivery, ingest with "
        "on_duplicate='ingest'."
        for name in ("copy_again.csv", "copy_of_a.csv")
    ]
    assert zone.sql("select count(*) from bronze.crm_cust_info") == [(2,)]
    assert zone.ingest().warnings == []  # reported once
    assert zone.sql(
        "select status, content_hash = (select content_hash from meta.file_ledger "
        "where path like '%/a.csv') from meta.file_ledger where path like '%copy_of_a.csv'"
    ) == [("skipped_duplicate", True)]


def test_duplicate_ingested_when_the_policy_says_so(zone: Zone) -> None:
    zone.write(f"{CUST}/a.csv", CUSTOMERS)
    zone.write(f"{CUST}/b.csv", CUSTOMERS)
    zone.ingest()  # b.csv reported as a duplicate of a.csv within the same run
    report = zone.ingest(on_duplicate="ingest")  # then the policy lets it in
    found = outcome(report, f"{CUST}/b.csv")
    assert found.rows == 2 and found.message == (
        f"same bytes as {CUST}/a.csv, ingested anyway (on_duplicate=ingest)"
    )
    assert zone.sql(
        "select _source_file, count(*) from bronze.crm_cust_info group by 1 order by 1"
    ) == [
        (f"{CUST}/a.csv", 2),
        (f"{CUST}/b.csv", 2),
    ]
    zone.accounted("crm_cust_info", f"{CUST}/b.csv")


# --- failure at any point ------------------------------------------------------------------------

CRASHING = """
import os, signal, sys
from pathlib import Path
import medallion.ingest as ingest
import medallion.ingest.csv_reader as reader
import medallion.ingest.load as load
from medallion.config import Settings
from medallion.engines import connect

reader.CHUNK_ROWS = 2
real, calls = load.chunk_to_arrow, []

def dying(*args):
    calls.append(1)
    if len(calls) == int(sys.argv[3]):
        os.kill(os.getpid(), signal.SIGKILL)
    return real(*args)

load.chunk_to_arrow = dying
landing = Path(sys.argv[1])
ingest.ingest(connect(Settings(landing=landing, warehouse=Path(sys.argv[2]))), landing)
"""


@pytest.mark.parametrize("kill_at_chunk", [2, 4])
def test_kill_9_mid_file_then_rerun_neither_loses_nor_duplicates(
    zone: Zone, kill_at_chunk: int
) -> None:
    zone.write(f"{LOC}/a.csv", "CID,CNTRY\n" + "".join(f"A{i},DE\n" for i in range(3)))
    zone.write(f"{LOC}/b.csv", "CID,CNTRY\n" + "".join(f"B{i},US\n" for i in range(5)))
    killed = subprocess.run(
        [
            sys.executable,
            "-c",
            CRASHING,
            str(zone.landing),
            str(zone.warehouse),
            str(kill_at_chunk),
        ],
        cwd=REPO,
        check=False,
    )
    assert killed.returncode == -signal.SIGKILL
    zone.ingest()
    assert zone.sql(
        "select _source_file, count(*), count(distinct _source_row) from bronze.erp_loc_a101 "
        "group by 1 order by 1"
    ) == [(f"{LOC}/a.csv", 3, 3), (f"{LOC}/b.csv", 5, 5)]
    assert zone.sql("select path, count(*) from meta.file_ledger group by 1 order by 1") == [
        (f"{LOC}/a.csv", 1),
        (f"{LOC}/b.csv", 1),
    ]


def test_file_changed_while_read_is_not_kept_and_read_next_run(zone: Zone) -> None:
    rel = f"{LOC}/growing.csv"
    path = zone.write(rel, "CID,CNTRY\nAW-1,DE\n")

    def writer_still_copying(*_: object) -> None:
        with path.open("a") as handle:
            handle.write("AW-2,US\n")

    engine = connect(Settings(landing=zone.landing, warehouse=zone.warehouse))
    try:
        report = ingest(engine, zone.landing, on_file=writer_still_copying)
    finally:
        engine.close()
    [failed] = report.failed
    assert failed.message == (
        f"{rel}: changed while it was being read (a writer still copying?); nothing of it was "
        "kept, and it is read again on the next run"
    )
    assert zone.ledger(rel) == []
    zone.written[rel] = path.read_bytes()
    assert outcome(zone.ingest(), rel).rows == 2
    zone.accounted("erp_loc_a101", rel)


def test_ledger_from_before_content_hashes_is_migrated(zone: Zone) -> None:
    old = zone.write(f"{LOC}/old.csv", "CID,CNTRY\nAW-1,DE\n")
    zone.warehouse.mkdir()
    with duckdb.connect(str(zone.warehouse / "medallion.duckdb")) as con:
        con.execute("create schema meta")
        con.execute(
            "create table meta.file_ledger (path varchar, table_name varchar, size bigint, "
            "mtime_ns bigint, batch_id bigint, status varchar, rows bigint, quarantined bigint, "
            "blank_lines bigint, message varchar, ingested_at timestamptz)"
        )
        info = old.stat()
        con.execute(
            "insert into meta.file_ledger values (?, 'erp_loc_a101', ?, ?, 1, 'ingested', 1, 0, "
            "0, null, now())",
            [f"{LOC}/old.csv", info.st_size, info.st_mtime_ns],
        )
    zone.write(f"{LOC}/new.csv", "CID,CNTRY\nAW-2,US\n")
    report = zone.ingest()
    assert (report.batch_id, report.skipped, [f.path for f in report.files]) == (
        2,
        1,
        [f"{LOC}/new.csv"],
    )
    assert zone.sql("select path, content_hash is null from meta.file_ledger order by path") == [
        (f"{LOC}/new.csv", False),
        (f"{LOC}/old.csv", True),
    ]


# --- status --------------------------------------------------------------------------------------


def test_status_shows_files_skips_failures_and_quarantine_per_table(zone: Zone) -> None:
    zone.write(f"{LOC}/a.csv", "CID,CNTRY\nAW-1,DE\nAW-2,US,x\n")
    zone.write(f"{LOC}/b.csv", "CID,CNTRY\nAW-1,DE\nAW-2,US,x\n")  # duplicate of a.csv
    zone.write(f"{LOC}/empty.csv", b"")
    broken = zone.write(f"{CUST}/broken.csv", PNG)
    zone.write(f"{CUST}/bad.csv", PNG + b"!")
    zone.ingest()
    broken.write_text(CUSTOMERS)  # fixed in place: ingested on the next run
    zone.ingest()
    status = warehouse_status(Settings(landing=None, warehouse=zone.warehouse))
    assert [
        (
            t.table,
            t.ingested,
            t.empty,
            t.failed,
            t.skipped_duplicate,
            t.rows,
            t.quarantined,
            t.last_batch,
        )
        for t in status.files
    ] == [
        ("crm_cust_info", 1, 0, 1, 0, 2, 0, 2),
        ("erp_loc_a101", 1, 1, 0, 1, 1, 1, 1),
    ]
    assert status.failures == [
        f"{CUST}/bad.csv: not a CSV file: it looks like a PNG image; "
        "export the table as CSV (UTF-8) and drop that file instead"
    ]
    assert [s.split(":")[0] for s in status.skips] == [f"{LOC}/b.csv"]
    console = Console(record=True, width=200)
    print_status(console, status)
    text = console.export_text()
    assert "skipped duplicate" in text and "quarantined" in text
    assert f"skipped file: {LOC}/b.csv: same bytes as {LOC}/a.csv" in text
    assert f"failed file: {CUST}/bad.csv" in text and "broken.csv" not in text


def test_ingest_gives_bronze_the_metadata_the_models_declare() -> None:
    from medallion.ingest import BRONZE_METADATA
    from medallion.models.bronze import METADATA_SCHEMA

    assert BRONZE_METADATA.equals(METADATA_SCHEMA)
