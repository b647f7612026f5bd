-- MDIC's totals file and the reconciliation of the yearly files against it.

-- name: store_totals
-- A newer totals file replaces the rows it carries.
INSERT INTO cfg.totais_conferencia (arquivo, co_ano, qt_estat, kg_liquido, vl_fob,
                                    numero_linhas, source_name, batch_id, file_mtime,
                                    vl_frete, vl_seguro)
VALUES (%(arquivo)s, %(co_ano)s, %(qt_estat)s, %(kg_liquido)s, %(vl_fob)s,
        %(numero_linhas)s, %(source)s, %(batch)s, %(mtime)s, %(vl_frete)s, %(vl_seguro)s)
ON CONFLICT (arquivo) DO UPDATE
SET co_ano = EXCLUDED.co_ano, qt_estat = EXCLUDED.qt_estat,
    kg_liquido = EXCLUDED.kg_liquido, vl_fob = EXCLUDED.vl_fob,
    vl_frete = EXCLUDED.vl_frete, vl_seguro = EXCLUDED.vl_seguro,
    numero_linhas = EXCLUDED.numero_linhas, source_name = EXCLUDED.source_name,
    batch_id = EXCLUDED.batch_id, file_mtime = EXCLUDED.file_mtime, stored_at = now();

-- name: reconciliation
-- Every official yearly file loaded, or the one named %(arquivo)s (NULL: all).
SELECT arquivo, ano_arquivo, ano_min, ano_max, registros, total_usd, total_kg, total_qt,
       numero_linhas, vl_fob, kg_liquido, qt_estat,
       diferenca_linhas, diferenca_usd, diferenca_kg, diferenca_qt, status,
       totals_mtime < file_mtime AS totals_older
FROM rpt.conferencia_mdic
WHERE CAST(%(arquivo)s AS TEXT) IS NULL OR lower(arquivo) = lower(%(arquivo)s)
ORDER BY arquivo;

-- name: reconciliation_importacao
-- Every official yearly import file loaded, or the one named %(arquivo)s (NULL: all),
-- with freight and insurance where MDIC's totals carry them.
SELECT arquivo, ano_arquivo, ano_min, ano_max, registros, total_usd, total_kg, total_qt,
       numero_linhas, vl_fob, kg_liquido, qt_estat,
       diferenca_linhas, diferenca_usd, diferenca_kg, diferenca_qt, status,
       totals_mtime < file_mtime AS totals_older,
       total_frete, total_seguro, vl_frete, vl_seguro, diferenca_frete, diferenca_seguro
FROM rpt.conferencia_mdic_importacao
WHERE CAST(%(arquivo)s AS TEXT) IS NULL OR lower(arquivo) = lower(%(arquivo)s)
ORDER BY arquivo;
