-- Reference tables used to turn official codes into names. `bgc db migrate` fills
-- them from sql/reference/*.csv when they are empty; users may replace their rows.

-- Official Comex Stat country table (PAIS.csv).
CREATE TABLE cfg.pais (
    co_pais     VARCHAR(3)   PRIMARY KEY CHECK (co_pais ~ '^[0-9]{3}$'),
    iso3        VARCHAR(3),
    no_pais     VARCHAR(100) NOT NULL,
    no_pais_ing VARCHAR(100)
);

-- NCM -> sector. Default: ISIC section through the official NCM.csv -> NCM_ISIC.csv chain.
CREATE TABLE cfg.ncm_setor (
    ncm        VARCHAR(8)   PRIMARY KEY CHECK (ncm ~ '^[0-9]{8}$'),
    isic_secao VARCHAR(1),
    setor      VARCHAR(100) NOT NULL
);

-- CUCI (SITC) group -> sector, for web-UI downloads detailed by CUCI group instead of NCM
-- (official ISIC_CUCI.csv: each CUCI group belongs to one ISIC section).
CREATE TABLE cfg.cuci_setor (
    cuci_grupo VARCHAR(10)  PRIMARY KEY,
    isic_secao VARCHAR(1),
    setor      VARCHAR(100) NOT NULL
);
