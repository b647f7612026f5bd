"""Pure parsing rules of the ingest engine: headers, layouts, numbers, CSV dialects."""

import io

import pytest

from bgc_core.domain import EXPORTS, IMPORTS
from bgc_pipeline.ingest.layouts import (
    COMEXSTAT,
    PROJECT,
    WEBUI,
    LayoutError,
    decide_flow,
    detect,
    normalise_header,
)
from bgc_pipeline.ingest.readers import record_blocks, sniff_csv


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("\ufeffMês", "mes"), ('  "Valor US$ FOB" ', "valor us$ fob"), ("CO_ANO", "co_ano"),
     ("Quilograma  Líquido", "quilograma liquido"), ("Países", "paises")],
)  # fmt: skip
def test_headers_compare_without_case_accents_or_spaces(raw: str, expected: str) -> None:
    assert normalise_header(raw) == expected


def test_project_layout_with_aliases() -> None:
    match = detect(["Ano", "MES", "pais", "setor", "ncm", "valor", "kg"])
    assert match.name == PROJECT
    assert match.columns["valor"] == "valor"
    assert match.columns["peso"] == "kg"


def test_official_bulk_layout() -> None:
    header = (
        "CO_ANO;CO_MES;CO_NCM;CO_UNID;CO_PAIS;SG_UF_NCM;CO_VIA;CO_URF;QT_ESTAT;KG_LIQUIDO;VL_FOB"
    )
    match = detect(header.split(";"))
    assert match.name == COMEXSTAT
    assert match.columns["co_pais"] == "CO_PAIS"


def test_web_download_layout() -> None:
    match = detect(["Ano", "Mês", "Países", "Código NCM", "Valor FOB (US$)", "Quilograma Líquido"])
    assert match.name == WEBUI
    assert match.columns["mes"] == "Mês"


IMPORT_HEADER = ["CO_ANO", "CO_MES", "CO_NCM", "CO_PAIS", "KG_LIQUIDO", "VL_FOB", "VL_FRETE",
                 "VL_SEGURO"]  # fmt: skip


def test_freight_and_insurance_make_an_import_file() -> None:
    match = detect(IMPORT_HEADER)
    assert (match.name, match.flow) == (COMEXSTAT, IMPORTS)
    assert (match.columns["frete"], match.columns["seguro"]) == ("VL_FRETE", "VL_SEGURO")
    assert detect(IMPORT_HEADER[:6]).flow == EXPORTS


def test_an_import_header_needs_both_freight_and_insurance() -> None:
    with pytest.raises(LayoutError, match=r"missing required column\(s\): VL_SEGURO"):
        detect(IMPORT_HEADER[:7])


@pytest.mark.parametrize(
    ("source", "header", "flow"),
    [
        ("IMP_2024.csv", IMPORT_HEADER, IMPORTS),
        ("compras.csv", IMPORT_HEADER, IMPORTS),
        ("EXP_2024.csv", IMPORT_HEADER[:6], EXPORTS),
        ("vendas.csv", IMPORT_HEADER[:6], EXPORTS),
    ],
)
def test_the_flow_is_the_headers_when_the_name_agrees(
    source: str, header: list[str], flow: str
) -> None:
    assert decide_flow(source, detect(header)) == flow


def test_a_name_and_a_header_that_disagree_are_refused() -> None:
    with pytest.raises(LayoutError, match=r"named as an import file \(IMP_\)"):
        decide_flow("IMP_2024.csv", detect(IMPORT_HEADER[:6]))
    with pytest.raises(LayoutError, match=r"named as an export file \(EXP_\)"):
        decide_flow("exp_2024.csv", detect(IMPORT_HEADER))


def test_web_download_without_country_names_what_is_missing() -> None:
    with pytest.raises(LayoutError, match=r"missing required column\(s\): Países"):
        detect(["Ano", "Município", "Código NCM", "Valor US$ FOB", "Quilograma Líquido"])


def test_unknown_header_lists_the_layouts_and_what_was_found() -> None:
    with pytest.raises(LayoutError, match=r"matches no known layout.*found: foo, bar"):
        detect(["foo", "bar"])


def test_project_layout_missing_weight() -> None:
    with pytest.raises(LayoutError, match=r"project layout: missing required column\(s\): peso"):
        detect(["ano", "mes", "pais", "setor", "valor_usd"])


@pytest.mark.parametrize(
    ("sample", "encoding", "separator", "rewrite"),
    [
        (b"ano;mes;pais\r\n2024;1;China\r\n", "utf-8", ";", False),
        (b"ano,mes,pais\n2024,1,China\n", "utf-8", ",", False),
        (b"ano\tmes\tpais\n", "utf-8", "\t", False),
        ('"Ano";"País"\r\n2024;"Japão"\r\n'.encode("cp1252"), "cp1252", ";", True),
        (b'"a";"b"\r\r\n1;2\r\r\n', "utf-8", ";", True),
        (b'"x,y";a;b\n', "utf-8", ";", False),
    ],
)
def test_csv_dialect_is_sniffed(
    sample: bytes, encoding: str, separator: str, rewrite: bool
) -> None:
    dialect = sniff_csv(sample)
    assert (dialect.encoding, dialect.separator, dialect.rewrite) == (encoding, separator, rewrite)


def test_csv_is_read_in_blocks_of_whole_records() -> None:
    body = b'1;"x\ny"\n2;z\n3;"q""\nr"\n' * 40
    blocks = list(record_blocks(io.BytesIO(b"a;b\n" + body), block_bytes=7))
    assert len(blocks) > 1
    assert {header for header, _ in blocks} == {b"a;b\n"}
    assert b"".join(block for _, block in blocks) == body
    for _, block in blocks:
        assert block.endswith(b"\n") and block.count(b'"') % 2 == 0
