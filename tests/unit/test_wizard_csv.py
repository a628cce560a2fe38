"""CSV files as users save them and as providers export them (csv_rows.py): encodings,
delimiters, title blocks, line numbers, refusals."""

from __future__ import annotations

import codecs

import pytest

from worker.kinds.wizard_import import csv_rows
from worker.kinds.wizard_import.csv_rows import (
    CsvSource,
    CsvText,
    decode_csv,
    iter_csv_rows,
    looks_like_text,
    open_csv,
    peek_csv_rows,
)
from worker.kinds.wizard_import.errors import InvalidFile

ROWS = [["Code", "Name", "Balance"], ["681", "Café Zürich", "£1,234.56"]]


def refusal(data: bytes, **options: object) -> str:
    with pytest.raises(InvalidFile) as caught:
        list(iter_csv_rows(data, **options))  # type: ignore[arg-type]
    assert caught.value.code == "INVALID_FILE"
    return caught.value.message


# --- encodings -----------------------------------------------------------------------------

def test_csv_with_bom_crlf_quotes_and_blank_lines() -> None:
    data = ("\ufeffOrganisation,Email,Address 1\r\n"
            '"Smith, Jones & Co",office@sj.example,"1 High St\r\nFloor 2"\r\n'
            "\r\n"
            ",,\r\n"
            "Café Zürich,,\r\n").encode()
    assert list(iter_csv_rows(data)) == [
        (1, ["Organisation", "Email", "Address 1"]),
        (2, ["Smith, Jones & Co", "office@sj.example", "1 High St\r\nFloor 2"]),
        (6, ["Café Zürich", "", ""]),
    ]
    assert decode_csv(data).encoding == "utf-8-sig"


def test_csv_without_bom_and_lf_only() -> None:
    data = b"Code,Name\n681,Trade Debtors\n"
    assert list(iter_csv_rows(data)) == [(1, ["Code", "Name"]), (2, ["681", "Trade Debtors"])]
    assert decode_csv(data) == CsvText("Code,Name\n681,Trade Debtors\n", "utf-8", ",")


@pytest.mark.parametrize("bom", [codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE])
def test_utf16_with_a_bom_tab_separated_like_excels_unicode_text(bom: bytes) -> None:
    text = "Code\tName\tBalance\r\n681\tCafé Zürich\t£1,234.56\r\n"
    data = bom + text.encode("utf-16-le" if bom == codecs.BOM_UTF16_LE else "utf-16-be")
    decoded = decode_csv(data)
    assert (decoded.encoding, decoded.delimiter) == ("utf-16", "\t")
    assert decoded.text == text
    assert list(iter_csv_rows(data)) == [(1, ROWS[0]), (2, ROWS[1])]


def test_windows_1252_only_when_allowed() -> None:
    data = 'Code,Name,Balance\r\n681,Café Zürich,"£1,234.56"\r\n'.encode("cp1252")
    assert b"\xa3" in data
    decoded = decode_csv(data, windows_1252=True)
    assert (decoded.encoding, decoded.delimiter) == ("windows-1252", ",")
    assert list(iter_csv_rows(data, windows_1252=True)) == [(1, ROWS[0]), (2, ROWS[1])]
    message = refusal(data)
    assert message.startswith("The file is not UTF-8: byte 0xE9 on line 2 is not valid UTF-8")
    assert "CSV UTF-8" in message


def test_csv_not_utf8_names_the_byte_and_the_line() -> None:
    data = "Code,Name\n1,Sales\n2,Caf\u00e9 \u00a3\n".encode("cp1252")
    message = refusal(data)
    assert message.startswith("The file is not UTF-8: byte 0xE9 on line 3 is not valid UTF-8")
    assert "CSV UTF-8" in message


def test_a_refusal_names_the_file_when_told() -> None:
    with pytest.raises(InvalidFile, match=r"^contacts\.csv is not UTF-8: byte 0xA3 on line 2"):
        decode_csv(b"Name\n\xa31\n", name="contacts.csv")


def test_windows_1252_is_not_guessed_for_a_file_that_is_utf8_up_to_a_bad_byte() -> None:
    data = "Name\nCafé Zürich\n".encode() + b"Caf\xe9\n"  # UTF-8, then one cp1252 line
    message = refusal(data, windows_1252=True)
    assert message.startswith("The file mixes encodings")
    assert "byte 0xE9 on line 3" in message
    # a UTF-8 BOM says UTF-8: a bad byte is a bad byte
    assert refusal(codecs.BOM_UTF8 + b"Name\nCaf\xe9\n", windows_1252=True).startswith(
        "The file is not UTF-8: byte 0xE9 on line 2")


def test_bytes_undefined_in_windows_1252() -> None:
    message = refusal(b"Name\nA\n\x81\n", windows_1252=True)
    assert message.startswith("The file is neither UTF-8 nor Windows-1252: byte 0x81 on line 3")


def test_a_nul_in_a_cell_is_read_as_its_text_for_the_row_to_refuse() -> None:
    # security.md: a NUL in a cell is its row's error (text_checks), not the file's
    rows = list(iter_csv_rows(b"Code,Name\r\n681,Trade\x00Debtors\r\n"))
    assert rows == [(1, ["Code", "Name"]), (2, ["681", "Trade\x00Debtors"])]
    utf16 = "Code\tName\n1\tA\n2\tB\x00\n".encode("utf-16")
    assert list(iter_csv_rows(utf16))[-1] == (3, ["2", "B\x00"])


def test_a_file_full_of_nuls_is_refused_as_binary_naming_its_line() -> None:
    no_bom = "Code,Name\r\n681,Trade Debtors\r\n".encode("utf-16-le")
    message = refusal(no_bom)
    assert message.startswith("The file cannot be read as CSV: from line 1 on, it is full "
                              "of NUL characters")
    assert "binary or damaged (or UTF-16 text without its byte order mark)" in message
    assert "line 2 on" in refusal(b"Code,Name\r\n" + b"\x00" * 4)


def test_damaged_utf16() -> None:
    data = codecs.BOM_UTF16_LE + "Name\nA\n".encode("utf-16-le") + b"\x00\xdc"  # lone surrogate
    assert "marked as UTF-16" in refusal(data)


# --- delimiters ----------------------------------------------------------------------------

@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_each_delimiter_is_detected(delimiter: str) -> None:
    text = f"Code{delimiter}Name\n681{delimiter}\"Trade Debtors{delimiter} Sundry\"\n"
    assert decode_csv(text.encode()).delimiter == delimiter
    assert list(iter_csv_rows(text.encode())) == [
        (1, ["Code", "Name"]), (2, ["681", f"Trade Debtors{delimiter} Sundry"])]


def test_semicolons_with_decimal_commas() -> None:
    data = b"Date;Amount;Name\n01.09.2026;1234,56;Smith\n02.09.2026;99,00;Jones\n"
    assert list(iter_csv_rows(data))[1] == (2, ["01.09.2026", "1234,56", "Smith"])


def test_one_column() -> None:
    data = b'Name\nSmith\n"Jones, Bros"\n'
    assert decode_csv(data).delimiter == ","
    assert list(iter_csv_rows(data)) == [(1, ["Name"]), (2, ["Smith"]), (3, ["Jones, Bros"])]


QUICKBOOKS = (
    "Acme Trading\r\n"
    "A/R Aging Detail\r\n"
    '"As of September 30, 2026"\r\n'
    "\r\n"
    ",Date,Transaction type,Num,Customer full name,Due date,Amount,Open balance\r\n"
    "Current,,,,,,,\r\n"
    ',09/15/2026,Invoice,1001,"Smith, Jones & Co",10/15/2026,"1,234.56","1,234.56"\r\n'
    ',09/20/2026,Invoice,1002,Brown Ltd,10/20/2026,100.00,100.00\r\n'
    'Total for Current,,,,,,"1,334.56","1,334.56"\r\n'
)


def test_a_quickbooks_title_block_above_a_comma_header() -> None:
    assert decode_csv(QUICKBOOKS.encode()).delimiter == ","
    rows = list(iter_csv_rows(QUICKBOOKS.encode()))
    assert rows[:4] == [(1, ["Acme Trading"]), (2, ["A/R Aging Detail"]),
                        (3, ["As of September 30, 2026"]),
                        (5, ["", "Date", "Transaction type", "Num", "Customer full name",
                             "Due date", "Amount", "Open balance"])]
    assert rows[5] == (7, ["", "09/15/2026", "Invoice", "1001", "Smith, Jones & Co",
                           "10/15/2026", "1,234.56", "1,234.56"])


def test_a_tab_separated_report_whose_titles_and_amounts_hold_commas() -> None:
    # Excel's Unicode Text does not quote "1,234.56" or "September 30, 2026": tab still wins
    lines = ["Acme, Inc.", "A/R Aging Detail", "As of September 30, 2026", "",
             "\tDate\tNum\tCustomer\tAmount"]
    lines += [f"\t09/{day:02}/2026\t{day}\tSmith, Jones\t1,{day:03}.00" for day in range(1, 25)]
    data = "\r\n".join(lines).encode("utf-16")
    assert decode_csv(data).delimiter == "\t"
    assert list(iter_csv_rows(data))[4] == (6, ["", "09/01/2026", "1", "Smith, Jones",
                                               "1,001.00"])


def test_quoted_newlines_give_the_line_each_row_starts_on() -> None:
    data = (b'Name;Address;Town\r\n"Smith";"1 High St\r\nFloor 2\r\nBack door";"Leeds"\r\n'
            b'"Jones";"2; Low St";York\r\n\r\n\r\nBrown;;Hull\r\n')
    assert list(iter_csv_rows(data)) == [
        (1, ["Name", "Address", "Town"]),
        (2, ["Smith", "1 High St\r\nFloor 2\r\nBack door", "Leeds"]),
        (5, ["Jones", "2; Low St", "York"]),
        (8, ["Brown", "", "Hull"]),
    ]


def test_line_numbers_with_cr_only_line_ends() -> None:
    assert list(iter_csv_rows(b"Code,Name\r\r681,Debtors\r")) == [
        (1, ["Code", "Name"]), (3, ["681", "Debtors"])]


def test_a_row_that_cannot_be_parsed_names_its_line() -> None:
    data = b'Code,Name\n1,A\n2,"B' + b"x" * 140_000 + b'"\n'  # over csv's field size limit
    assert refusal(data).startswith("Line 3 of the file cannot be read as CSV")


def test_semicolon_and_utf16_files_are_no_longer_refused() -> None:
    assert list(iter_csv_rows(b"Code;Name\n681;Trade Debtors\n")) == [
        (1, ["Code", "Name"]), (2, ["681", "Trade Debtors"])]
    assert list(iter_csv_rows("Code,Name\n".encode("utf-16"))) == [(1, ["Code", "Name"])]


# --- peeking, large files, sniffing --------------------------------------------------------

def test_peek_gives_the_first_rows_only() -> None:
    data = ("Code,Name\n\n" + "".join(f"{n},Account {n}\n" for n in range(100))).encode()
    rows = peek_csv_rows(data, 5)
    assert rows == [(1, ["Code", "Name"]), (3, ["0", "Account 0"]), (4, ["1", "Account 1"]),
                    (5, ["2", "Account 2"]), (6, ["3", "Account 3"])]
    assert len(peek_csv_rows(data)) == 40
    assert peek_csv_rows(data, 0) == []
    assert peek_csv_rows(b"Code,Name\n1,A\n", 40) == [(1, ["Code", "Name"]), (2, ["1", "A"])]
    assert peek_csv_rows(decode_csv(data), 1) == [(1, ["Code", "Name"])]


def test_peek_refuses_what_reading_refuses() -> None:
    with pytest.raises(InvalidFile, match="byte 0xA3 on line 2"):
        peek_csv_rows(b"Name\n\xa31\n")
    assert peek_csv_rows(b"Name\n\xa31\n", windows_1252=True) == [(1, ["Name"]), (2, ["£1"])]


def test_a_60_mb_file_is_read_in_chunks_with_the_right_line_numbers() -> None:
    line = '{n},Smith & Jones Ltd,2026-09-01,"1,234.56","Consulting\r\nSeptember"\r\n'
    data = ("Number,Contact,Date,Total,Description\r\n"
            + "".join(line.format(n=n) for n in range(900_000))).encode()
    assert len(data) > 60 * 1024 * 1024
    decoded = decode_csv(data)
    head = peek_csv_rows(decoded, 3)
    assert head[2] == (4, ["1", "Smith & Jones Ltd", "2026-09-01", "1,234.56",
                           "Consulting\r\nSeptember"])
    count, last = 0, (0, [""])
    for row in iter_csv_rows(decoded):
        count, last = count + 1, row
    assert count == 900_001
    assert last[0] == 2 * 899_999 + 2
    assert last[1][0] == "899999"


def test_looks_like_text() -> None:
    assert looks_like_text(b"Code,Name\n681,Trade Debtors\n")
    assert looks_like_text("Code\tName\n".encode("utf-16"))
    assert looks_like_text("Café £".encode("cp1252"))
    assert looks_like_text(("é" * 40_000).encode())  # a character cut at 64 kB is fine
    assert looks_like_text(b"")
    assert not looks_like_text(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert not looks_like_text(b"Code,Name\n\x00")
    assert not looks_like_text(bytes(range(1, 32)) * 10)  # control characters
    assert not looks_like_text(b"Name\n\x81\x8d\x8f")  # undefined in Windows-1252


_STREAMED = [
    "\ufeffName,Note\r\nCafé Zürich,\"two\r\nlines\"\r\n\r\n東京デザイン,\"a, b\"\r\nŁódź,x\r\n",
    "Name;Amount\n" + "".join(f"Zoë {i};{i},50\n" for i in range(300)),
    "A,B\rC,D\r\n\"E\r\nF\",G\n",
    "Title only\r\n\r\n,Date,Num\r\n,09/15/2026,1\r\n",
]


@pytest.mark.parametrize("text", _STREAMED)
@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
@pytest.mark.parametrize("chunk", [1, 2, 3, 7, 64, 1 << 20])
def test_a_file_read_as_it_is_decoded_gives_the_rows_of_its_whole_text(
        monkeypatch: pytest.MonkeyPatch, text: str, encoding: str, chunk: int) -> None:
    """open_csv keeps no text: its rows, decoded a chunk at a time (chunks cutting
    characters, line ends and quoted line breaks anywhere), are decode_csv's."""
    data = text.encode(encoding)  # utf-16: with its BOM
    monkeypatch.setattr(csv_rows, "_CHUNK_BYTES", chunk)
    source = open_csv(data)
    assert isinstance(source, CsvSource)
    whole = decode_csv(data)
    assert source.delimiter == whole.delimiter
    assert list(iter_csv_rows(source)) == list(iter_csv_rows(whole))


def test_a_file_that_fails_the_streamed_check_is_decoded_whole_for_its_reason() -> None:
    assert isinstance(open_csv("Name\r\nCafé\r\n".encode("cp1252"), windows_1252=True),
                      CsvText)
    with pytest.raises(InvalidFile, match="byte 0xE9 on line 2"):
        open_csv("Name\r\nCafé\r\n".encode("cp1252"))
    with pytest.raises(InvalidFile, match="from line 2 on, it is full of NUL characters"):
        open_csv(b"Name\r\nA\x00\x00\x00\x00B\r\n")
