-- Every NCM's place in the levels of the classifications the Comex Stat API details and
-- filters by (cfg.ncm_niveis: HS section, BEC levels 2 and 3, SITC division, group,
-- subgroup and basic heading, ISIC division, group and class; from MDIC's NCM.csv,
-- NCM_SH.csv, NCM_CGCE.csv, NCM_CUCI.csv and NCM_ISIC.csv), and the names of those
-- levels (cfg.nomes_niveis), which rpt.nomes now lists beside the others.
CREATE TABLE cfg.ncm_niveis (
    ncm character varying(8) PRIMARY KEY,
    secao character varying(5),
    cgce_n2 character varying(3),
    cgce_n3 character varying(3),
    cuci_cap character varying(2),
    cuci_pos character varying(3),
    cuci_sub character varying(4),
    cuci_item character varying(5),
    isic_divisao character varying(2),
    isic_grupo character varying(3),
    isic_classe character varying(4),
    CONSTRAINT ncm_niveis_ncm_check CHECK (((ncm)::text ~ '^[0-9]{8}$'::text))
);

CREATE TABLE cfg.nomes_niveis (
    dimensao text NOT NULL,
    codigo character varying(8) NOT NULL,
    nome text NOT NULL,
    nome_ing text,
    PRIMARY KEY (dimensao, codigo),
    CONSTRAINT nomes_niveis_dimensao_check CHECK ((dimensao = ANY (ARRAY[
        'secao'::text, 'cgce_n2'::text, 'cgce_n3'::text, 'cuci_cap'::text, 'cuci_pos'::text,
        'cuci_sub'::text, 'cuci_item'::text, 'isic_divisao'::text, 'isic_grupo'::text,
        'isic_classe'::text])))
);

CREATE OR REPLACE VIEW rpt.nomes AS
 SELECT nomes.dimensao,
    nomes.codigo,
    nomes.nome,
    NULLIF(nomes.nome_ing, ''::text) AS nome_ing
   FROM cfg.nomes
UNION ALL
 SELECT 'pais'::text AS dimensao,
    pais.co_pais AS codigo,
    pais.no_pais AS nome,
    NULLIF((pais.no_pais_ing)::text, ''::text) AS nome_ing
   FROM cfg.pais
UNION ALL
 SELECT niveis.dimensao,
    niveis.codigo,
    niveis.nome,
    NULLIF(niveis.nome_ing, ''::text) AS nome_ing
   FROM cfg.nomes_niveis niveis;

CREATE VIEW rpt.ncm_niveis AS
SELECT CAST(ncm AS integer) AS ncm, secao, cgce_n2, cgce_n3, cuci_cap, cuci_pos, cuci_sub,
       cuci_item, isic_divisao, isic_grupo, isic_classe
FROM cfg.ncm_niveis;

GRANT SELECT ON TABLE rpt.ncm_niveis TO bgc_api_reader;
