// The analysts' dashboard: the filters live in the URL; every figure comes from the API.
"use strict";

const TEXT = {
  pt: {
    title: "Exportações brasileiras", language: "Idioma", filters: "Filtros", year: "Ano",
    place: "País ou bloco", all: "Todos", blocs: "Blocos", countries: "Países",
    state: "UF de origem", product: "Produto (capítulo ou posição SH)",
    productHint: "12, 1201 ou soja", productHelp: "Digite um código ou parte do nome",
    productInvalid: "Escolha um código da lista (2 ou 4 dígitos)", sector: "Setor",
    clear: "Limpar filtros", emptyTitle: "Ainda não há dados",
    emptyText: "Solte arquivos na pasta de entrada:", summary: "Resumo", totalUsd: "Valor FOB",
    totalKg: "Peso líquido", growth: "Variação no mesmo período", through: "Dados até",
    reconciliation: "Conferência com os totais do MDIC", series: "Série mensal",
    period: "Período", monthly: "Mensal", ytd: "Acumulado no ano", rolling: "12 meses",
    measure: "Medida", topCountries: "Principais destinos",
    topProducts: "Principais produtos (SH4)", topStates: "Principais estados de origem",
    movers: "Maiores variações", moversBy: "Por", bySh4: "produto (SH4)", byCountry: "país",
    byState: "UF", concentration: "Concentração", hhiCountries: "HHI por país",
    hhiProducts: "HHI por produto (SH4)",
    hhiExplained: "O HHI soma os quadrados das participações (%): perto de 0 quando o valor " +
      "se espalha por muitos itens, 10.000 quando um só item tem tudo.",
    source: "Fonte: Comex Stat (MDIC), pela API BGC Analytics.",
    apiDocs: "Documentação da API", updated: "Atualizado em", error: "Erro ao consultar a API",
    offline: "a API não respondeu", compared: "comparado com", noPrevious: "sem dados no ano anterior",
    ownFilter: "Sem o filtro desta dimensão.",
    noData: "Sem dados para estes filtros", share: "participação", top1: "1º", top5: "5 primeiros",
    gains: "altas", losses: "quedas", coverage: "cobertura",
    status: { ok: "ok", divergente: "divergente", pendente: "pendente" },
    flow: "Fluxo", exports: "Exportações", imports: "Importações",
    titleImports: "Importações brasileiras", stateImports: "UF de destino",
    topCountriesImports: "Principais origens", topStatesImports: "Principais estados de destino",
    cifUsd: "Valor CIF", balance: "Balança comercial", titleBalance: "Balança comercial brasileira",
    stateBalance: "UF", balanceByMonth: "Exportações, importações e saldo por mês",
    balanceUsd: "Saldo", tradeUsd: "Corrente de comércio",
    partners: "Principais parceiros (corrente de comércio)",
    partnersNote: "Países de destino das exportações e de origem das importações.",
  },
  en: {
    title: "Brazilian exports", language: "Language", filters: "Filters", year: "Year",
    place: "Country or bloc", all: "All", blocs: "Blocs", countries: "Countries",
    state: "State of origin", product: "Product (HS chapter or heading)",
    productHint: "12, 1201 or soya", productHelp: "Type a code or part of a name",
    productInvalid: "Choose a code from the list (2 or 4 digits)", sector: "Sector",
    clear: "Clear filters", emptyTitle: "No data yet",
    emptyText: "Drop files into the landing folder:", summary: "Summary", totalUsd: "FOB value",
    totalKg: "Net weight", growth: "Growth over the same period", through: "Data through",
    reconciliation: "Checked against MDIC's totals", series: "Monthly series",
    period: "Period", monthly: "Monthly", ytd: "Year to date", rolling: "Rolling 12 months",
    measure: "Measure", topCountries: "Top destinations",
    topProducts: "Top products (HS4)", topStates: "Top states of origin",
    movers: "Biggest movers", moversBy: "By", bySh4: "product (HS4)", byCountry: "country",
    byState: "state", concentration: "Concentration", hhiCountries: "HHI by country",
    hhiProducts: "HHI by product (HS4)",
    hhiExplained: "The HHI sums the squared percentage shares: near 0 when the value is " +
      "spread over many items, 10,000 when one item has it all.",
    source: "Source: Comex Stat (MDIC), through the BGC Analytics API.",
    apiDocs: "API documentation", updated: "Updated", error: "The API could not answer",
    offline: "the API did not respond", compared: "compared with", noPrevious: "no data the year before",
    ownFilter: "Without this dimension's own filter.",
    noData: "No data for these filters", share: "share", top1: "1st", top5: "top 5",
    gains: "gains", losses: "losses", coverage: "coverage",
    status: { ok: "ok", divergente: "diverges", pendente: "pending" },
    flow: "Flow", exports: "Exports", imports: "Imports",
    titleImports: "Brazilian imports", stateImports: "State of destination",
    topCountriesImports: "Top origins", topStatesImports: "Top states of destination",
    cifUsd: "CIF value", balance: "Trade balance", titleBalance: "Brazilian trade balance",
    stateBalance: "State", balanceByMonth: "Exports, imports and balance by month",
    balanceUsd: "Balance", tradeUsd: "Total trade", partners: "Top partners by total trade",
    partnersNote: "Countries of destination of the exports and of origin of the imports.",
  },
};

const URL_KEYS = [
  "fluxo", "ano", "pais", "bloco", "uf", "ncm", "setor", "lang", "periodo", "medida", "mover",
];
const DEFAULTS = { fluxo: "exportacao", lang: "pt", periodo: "mensal", medida: "usd", mover: "sh4" };
const SCOPE_KEYS = ["fluxo", "ano", "pais", "bloco", "uf", "ncm", "setor"];
const FLOWS = ["exportacao", "importacao", "balanca"];
const VARIANTS = { importacao: "Imports", balanca: "Balance" };
const PRODUCT_CODE = /^(\d{2}|\d{4}|\d{6}|\d{8})$/;
const COLORS = {
  bar: "#0b6e4f", gain: "#0b6e4f", loss: "#b3261e", line: "#1a5fb4", imports: "#c05a00", balance: "#1d2a33",
};
const CHART_CONFIG = { displayModeBar: false, responsive: true };

let state = readUrl();
let renderCount = 0;

// ---------------------------------------------------------------- text and numbers

/** A text in the page's language; for imports or the balance, its variant where there is
 * one (origins instead of destinations). */
function t(key) {
  const texts = TEXT[state.lang];
  const variant = VARIANTS[state.fluxo];
  return (variant && texts[`${key}${variant}`]) || texts[key];
}

/** The balance view: both flows side by side, asked without ``fluxo``. */
function balance() {
  return state.fluxo === "balanca";
}

function locale() {
  return state.lang === "en" ? "en-US" : "pt-BR";
}

function number(value, digits) {
  return new Intl.NumberFormat(locale(), {
    minimumFractionDigits: digits, maximumFractionDigits: digits,
  }).format(value);
}

const SCALES = {
  pt: [[1e12, "tri"], [1e9, "bi"], [1e6, "mi"], [1e3, "mil"]],
  en: [[1e12, "tn"], [1e9, "bn"], [1e6, "mn"], [1e3, "k"]],
};

/** 1254000000 -> "1,25 bi" (pt) or "1.25 bn" (en). */
function compact(value) {
  for (const [factor, unit] of SCALES[state.lang]) {
    if (Math.abs(value) >= factor) return `${number(value / factor, 2)} ${unit}`;
  }
  return number(value, 0);
}

function usd(value) {
  return `US$ ${compact(value)}`;
}

function kg(value) {
  return `${compact(value)} kg`;
}

function percent(value, signed = false) {
  if (value === null || value === undefined) return "–";
  const sign = signed && value > 0 ? "+" : "";
  return `${sign}${number(value, 1)}%`;
}

/** "2025-08" -> "ago/2025" (pt) or "Aug 2025" (en). */
function month(yearMonth) {
  if (!yearMonth) return "–";
  const [year, mon] = yearMonth.split("-").map(Number);
  const name = new Intl.DateTimeFormat(locale(), { month: "short", timeZone: "UTC" })
    .format(new Date(Date.UTC(year, mon - 1, 1))).replace(".", "");
  return state.lang === "en" ? `${name} ${year}` : `${name}/${year}`;
}

function months(periodo) {
  return periodo ? `${month(periodo.de)} – ${month(periodo.ate)}` : "–";
}

// ---------------------------------------------------------------- the URL

function readUrl() {
  const query = new URLSearchParams(location.search);
  const read = {};
  for (const key of URL_KEYS) read[key] = query.get(key) || DEFAULTS[key] || "";
  if (!TEXT[read.lang]) read.lang = DEFAULTS.lang;
  if (!FLOWS.includes(read.fluxo)) read.fluxo = DEFAULTS.fluxo;
  return read;
}

function writeUrl() {
  const query = new URLSearchParams();
  for (const key of URL_KEYS) {
    if (state[key] && state[key] !== DEFAULTS[key]) query.set(key, state[key]);
  }
  const search = query.toString();
  const url = search ? `${location.pathname}?${search}` : location.pathname;
  if (url !== `${location.pathname}${location.search}`) history.pushState(null, "", url);
}

function scope() {
  const kept = {};
  for (const key of SCOPE_KEYS) if (state[key] && state[key] !== DEFAULTS[key]) kept[key] = state[key];
  if (balance()) delete kept.fluxo;
  return kept;
}

function without(params, ...keys) {
  const kept = { ...params };
  for (const key of keys) delete kept[key];
  return kept;
}

// ---------------------------------------------------------------- the API

class ApiError extends Error {
  constructor(url, status, detail) {
    super(detail);
    this.url = url;
    this.status = status;
  }
}

function apiUrl(path, params, extra = {}) {
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...params, ...extra })) {
    if (value !== "" && value !== null && value !== undefined) query.set(key, value);
  }
  const search = query.toString();
  return search ? `${path}?${search}` : path;
}

async function api(path, params = {}) {
  const url = apiUrl(path, params);
  let response;
  try {
    response = await fetch(url, { headers: { Accept: "application/json" } });
  } catch (_) {
    throw new ApiError(url, 0, t("offline"));
  }
  if (!response.ok) {
    let detail = response.statusText;
    try {
      const problem = await response.json();
      detail = problem.detail || problem.title || detail;
    } catch (_) {
      // not a problem document: the status text says enough
    }
    throw new ApiError(url, response.status, detail);
  }
  return response.json();
}

async function fetchAll(requests) {
  const names = Object.keys(requests);
  const answers = await Promise.all(names.map((name) => api(...requests[name])));
  return Object.fromEntries(names.map((name, i) => [name, answers[i]]));
}

function linkCsv(id, path, params) {
  document.getElementById(id).href = apiUrl(path, params, { format: "csv" });
}

// ---------------------------------------------------------------- page states

function setState(name) {
  document.body.dataset.state = name;
  if (name === "ready") window.bgcReadyMs = performance.now();
}

function showError(error) {
  const box = document.getElementById("message");
  const status = error.status ? `HTTP ${error.status}: ` : "";
  box.textContent = `${t("error")}: ${status}${error.message}` + (error.url ? ` (${error.url})` : "");
  box.hidden = false;
  setState("error");
}

/** Show the panels of the current view (one flow, or the balance) and hide the others. */
function showView() {
  const view = balance() ? "balanca" : "fluxo";
  for (const node of document.querySelectorAll("[data-view]")) node.hidden = node.dataset.view !== view;
  for (const node of document.querySelectorAll("[data-only]")) node.hidden = node.dataset.only !== state.fluxo;
  document.getElementById("empty").hidden = true;
  document.getElementById("panels").hidden = false;
  document.getElementById("filters").hidden = false;
}

function showEmpty() {
  document.getElementById("landing").textContent = document.body.dataset.landing;
  document.getElementById("empty").hidden = false;
  document.getElementById("panels").hidden = true;
  document.getElementById("filters").hidden = true;
  setState("empty");
}

function applyLanguage() {
  document.documentElement.lang = locale();
  for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
  for (const node of document.querySelectorAll("[data-i18n-label]")) node.label = t(node.dataset.i18nLabel);
  for (const node of document.querySelectorAll("[data-i18n-placeholder]")) {
    node.placeholder = t(node.dataset.i18nPlaceholder);
  }
}

// ---------------------------------------------------------------- controls

function fillSelect(select, items, keep = 1) {
  while (select.children.length > keep) select.lastElementChild.remove();
  for (const { value, label } of items) select.append(new Option(label, value));
}

function fillGroup(group, items) {
  group.replaceChildren(...items.map(({ value, label }) => new Option(label, value)));
}

function byName(a, b) {
  return a.label.localeCompare(b.label, locale());
}

async function loadSelectors(anos) {
  const names = { lang: state.lang, limit: 1000 };
  const codes = await fetchAll({
    uf: ["/v1/codigos/uf", names],
    setor: ["/v1/codigos/setor", names],
    bloco: ["/v1/codigos/bloco", names],
    pais: ["/v1/codigos/pais", names],
    sh2: ["/v1/codigos/sh2", names],
  });
  const years = [...anos].sort((a, b) => b - a).map((ano) => ({ value: String(ano), label: String(ano) }));
  fillSelect(document.getElementById("f-ano"), years, 0);
  const option = (prefix) => (c) => ({ value: `${prefix}${c.codigo}`, label: c.nome || c.codigo });
  fillSelect(document.getElementById("f-uf"), codes.uf.items.map((c) => ({
    value: c.codigo, label: `${c.codigo} · ${c.nome}`,
  })));
  fillSelect(document.getElementById("f-setor"), codes.setor.items.map(option("")).sort(byName));
  fillGroup(document.getElementById("f-blocos"), codes.bloco.items.map(option("bloco:")).sort(byName));
  fillGroup(document.getElementById("f-paises"), codes.pais.items.map(option("pais:")).sort(byName));
  suggestProducts(codes.sh2.items);
  syncControls();
}

function suggestProducts(items) {
  const list = document.getElementById("ncm-options");
  list.replaceChildren(...items.map((c) => new Option(`${c.codigo} · ${c.nome || ""}`, c.codigo)));
}

let searchTimer = 0;

function searchProducts(text) {
  clearTimeout(searchTimer);
  const q = text.trim();
  if (q.length < 2 || PRODUCT_CODE.test(q)) return;
  searchTimer = setTimeout(async () => {
    try {
      const names = { q, lang: state.lang, limit: 20 };
      const found = await fetchAll({ sh2: ["/v1/codigos/sh2", names], sh4: ["/v1/codigos/sh4", names] });
      suggestProducts([...found.sh2.items, ...found.sh4.items]);
    } catch (error) {
      showError(error);
    }
  }, 200);
}

/** Show ``value`` in ``select``, adding it when a shared link names a code the list lacks
(the API then accepts it or says why not). */
function choose(id, value) {
  const select = document.getElementById(id);
  if (value && ![...select.options].some((option) => option.value === value)) {
    select.append(new Option(value, value));
  }
  select.value = value;
}

function syncControls() {
  document.getElementById("f-lang").value = state.lang;
  document.getElementById("f-fluxo").value = state.fluxo;
  choose("f-ano", state.ano);
  choose("f-local", state.pais ? `pais:${state.pais}` : state.bloco ? `bloco:${state.bloco}` : "");
  choose("f-uf", state.uf);
  choose("f-setor", state.setor);
  document.getElementById("f-ncm").value = state.ncm;
  document.getElementById("f-mover").value = state.mover;
  for (const radio of document.querySelectorAll("input[name=periodo], input[name=medida]")) {
    radio.checked = radio.value === state[radio.name];
  }
}

function change(updates, redraw = render) {
  Object.assign(state, updates);
  writeUrl();
  redraw();
}

function bindControls() {
  const on = (id, event, handler) => document.getElementById(id).addEventListener(event, handler);
  on("filters", "submit", (event) => event.preventDefault());
  on("f-ano", "change", (e) => change({ ano: e.target.value }));
  on("f-uf", "change", (e) => change({ uf: e.target.value }));
  on("f-setor", "change", (e) => change({ setor: e.target.value }));
  on("f-local", "change", (e) => {
    const [kind, code] = e.target.value.split(":");
    change({ pais: kind === "pais" ? code : "", bloco: kind === "bloco" ? code : "" });
  });
  on("f-ncm", "input", (e) => searchProducts(e.target.value));
  on("f-ncm", "change", (e) => {
    const code = e.target.value.trim().split(/\s/)[0];
    const valid = code === "" || PRODUCT_CODE.test(code);
    e.target.setAttribute("aria-invalid", String(!valid));
    document.getElementById("ncm-help").textContent = t(valid ? "productHelp" : "productInvalid");
    if (valid && code !== state.ncm) change({ ncm: code });
  });
  on("f-clear", "click", () => change({ pais: "", bloco: "", uf: "", ncm: "", setor: "" }, () => {
    syncControls();
    render();
  }));
  on("f-lang", "change", (e) => change({ lang: e.target.value }, start));
  on("f-fluxo", "change", (e) => change({ fluxo: e.target.value, ano: "" }, start));
  on("f-mover", "change", (e) => change({ mover: e.target.value }, () => drawPanels(["movers"])));
  for (const radio of document.querySelectorAll("input[name=periodo]")) {
    radio.addEventListener("change", () => change({ periodo: radio.value }, () => drawPanels(["serie"])));
  }
  for (const radio of document.querySelectorAll("input[name=medida]")) {
    radio.addEventListener("change", () => change({ medida: radio.value }, () => drawPanels(["serie"])));
  }
  window.addEventListener("popstate", () => {
    const before = [state.lang, state.fluxo];
    state = readUrl();
    if (state.lang !== before[0] || state.fluxo !== before[1]) start();
    else {
      syncControls();
      render();
    }
  });
}

// ---------------------------------------------------------------- panels

/** What each panel asks the API, under the current filters. */
function requests() {
  const filters = scope();
  const names = { lang: state.lang };
  if (balance()) {
    return {
      balanca: ["/v1/metrics/balanca", filters],
      parceiros: ["/v1/metrics/balanca/pais", {
        ...without(filters, "pais"), ordem: "corrente", limit: 10, ...names,
      }],
    };
  }
  return {
    resumo: ["/v1/metrics/resumo", filters],
    serie: ["/v1/metrics/serie", { ...without(filters, "ano"), ano_ate: state.ano, periodo: state.periodo }],
    pais: ["/v1/metrics/pais", { ...without(filters, "pais"), limit: 10, ...names }],
    sh4: ["/v1/metrics/sh4", { ...filters, limit: 10, ...names }],
    uf: ["/v1/metrics/uf", { ...without(filters, "uf"), limit: 10, ...names }],
    movers: [`/v1/metrics/variacao/${state.mover}`, { ...filters, limit: 5, ...names }],
    hhi: ["/v1/metrics/concentracao", filters],
  };
}

const DRAW = {
  resumo: drawResumo,
  serie: drawSerie,
  pais: (answer) => drawRanking("pais", answer, (i) => i.nome || i.pais, state.pais),
  sh4: (answer) => drawRanking("sh4", answer, (i) => `${i.codigo} ${i.nome || ""}`, ""),
  uf: (answer) => drawRanking("uf", answer, (i) => `${i.codigo} ${i.nome || ""}`, state.uf),
  movers: drawMovers,
  hhi: drawConcentration,
  balanca: drawBalance,
  parceiros: drawPartners,
};

const CSV_LINKS = {
  resumo: "csv-resumo", serie: "csv-serie", pais: "csv-pais", sh4: "csv-sh4", uf: "csv-uf",
  movers: "csv-movers", hhi: "csv-hhi", balanca: "csv-balanca", parceiros: "csv-parceiros",
};

async function drawPanels(names) {
  const count = ++renderCount;
  setState("loading");
  document.getElementById("message").hidden = true;
  const all = requests();
  const wanted = Object.fromEntries(names.map((name) => [name, all[name]]));
  try {
    const answers = await fetchAll(wanted);
    if (names.includes("resumo")) answers.before = await previousPeriod(answers);
    if (count !== renderCount) return; // a newer choice is being drawn
    for (const name of names) {
      linkCsv(CSV_LINKS[name], ...all[name]);
      DRAW[name](answers[name], answers);
    }
    setState("ready");
  } catch (error) {
    if (count === renderCount) showError(error);
  }
}

function render() {
  return drawPanels(Object.keys(requests()));
}

/** The same months of the year before, for the growth in the header. */
async function previousPeriod(answers) {
  const periodo = answers.sh4.periodo;
  if (!periodo) return null;
  const [year, from] = periodo.de.split("-").map(Number);
  const to = Number(periodo.ate.split("-")[1]);
  const params = { ...scope(), ano: year - 1, mes_de: from, mes_ate: to };
  return { periodo, comparado: { de: `${year - 1}-${pad(from)}`, ate: `${year - 1}-${pad(to)}` },
           resumo: await api("/v1/metrics/resumo", params) };
}

function pad(value) {
  return String(value).padStart(2, "0");
}

function setFigure(id, text, value) {
  const node = document.getElementById(id);
  node.textContent = text;
  node.dataset.value = value === null || value === undefined ? "" : String(value);
  return node;
}

function drawResumo(resumo, answers) {
  setFigure("fig-usd", usd(resumo.totalUsd), resumo.totalUsd);
  setFigure("fig-kg", kg(resumo.totalKg), resumo.totalKg);
  if (resumo.cifUsd !== undefined) setFigure("fig-cif", usd(resumo.cifUsd), resumo.cifUsd);
  setFigure("fig-through", month(resumo.dataThrough), resumo.dataThrough);
  const before = answers.before;
  const previous = before ? before.resumo.totalUsd : 0;
  const growth = previous > 0 ? (100 * (resumo.totalUsd - previous)) / previous : null;
  const node = setFigure("fig-growth", percent(growth, true), growth);
  node.className = growth === null ? "" : growth >= 0 ? "gain" : "loss";
  document.getElementById("growth-note").textContent = before
    ? `${months(before.periodo)} ${t("compared")} ${months(before.comparado)}` +
      (growth === null ? ` (${t("noPrevious")})` : "")
    : "";
  const list = document.getElementById("conferencia");
  list.replaceChildren(...resumo.conferencia.map((c) => {
    const item = document.createElement("li");
    item.className = c.status;
    item.textContent = `${c.ano} · ${t("status")[c.status] || c.status}`;
    if (c.arquivo) item.title = c.arquivo;
    return item;
  }));
  showUpdated(resumo);
}

function showUpdated(answer) {
  document.getElementById("updated").textContent = answer.updatedAt
    ? `${t("updated")} ${new Date(answer.updatedAt).toLocaleString(locale())}` : "";
}

function layout(extra = {}) {
  return {
    margin: { t: 8, r: 12, b: 36, l: 12 },
    height: 320,
    autosize: true,
    separators: state.lang === "en" ? ".," : ",.",
    font: { family: "system-ui, sans-serif", size: 12, color: "#1d2a33" },
    paper_bgcolor: "#ffffff",
    plot_bgcolor: "#ffffff",
    showlegend: false,
    uniformtext: { mode: "hide", minsize: 9 },  // a share that does not fit its bar is left out
    ...extra,
  };
}

function noData() {
  return {
    annotations: [{ text: t("noData"), showarrow: false, xref: "paper", yref: "paper", x: 0.5, y: 0.5 }],
    xaxis: { visible: false }, yaxis: { visible: false },
  };
}

function drawSerie(serie) {
  const measure = state.medida === "kg" ? "totalKg" : "totalUsd";
  const items = serie.items;
  const trace = {
    type: "scatter", mode: items.length > 36 ? "lines" : "lines+markers",
    x: items.map((i) => `${i.ano}-${pad(i.mes)}-01`), y: items.map((i) => i[measure]),
    line: { color: COLORS.line, width: 2 },
    hovertemplate: `%{x|%m/%Y}: %{y:,.0f} ${state.medida === "kg" ? "kg" : "US$"}<extra></extra>`,
  };
  const axes = { xaxis: { type: "date", tickformat: "%Y", dtick: "M12" },
                 yaxis: { exponentformat: "B", automargin: true, rangemode: "tozero" } };
  Plotly.react("chart-serie", [trace], layout(items.length ? axes : noData()), CHART_CONFIG);
}

function truncate(text, size = 34) {
  return text.length > size ? `${text.slice(0, size - 1)}…` : text;
}

function drawRanking(name, page, label, ownFilter) {
  const items = page.items.slice().reverse();
  const trace = {
    type: "bar", orientation: "h",
    x: items.map((i) => i.totalUsd), y: items.map((i) => truncate(label(i))),
    text: items.map((i) => percent(i.participacaoPct)), textposition: "inside",
    hovertext: items.map(label),
    hovertemplate: "%{hovertext}<br>US$ %{x:,.0f} (%{text})<extra></extra>",
    marker: { color: COLORS.bar },
  };
  const axes = { xaxis: { exponentformat: "B" }, yaxis: { automargin: true, type: "category" } };
  Plotly.react(`chart-${name}`, [trace], layout(items.length ? axes : noData()), CHART_CONFIG);
  const notes = [];
  if (ownFilter) notes.push(t("ownFilter"));
  if (page.periodo) notes.push(months(page.periodo));
  if (page.cobertura !== undefined && page.cobertura !== null && page.cobertura < 100) {
    notes.push(`${t("coverage")} ${percent(page.cobertura)}`);
  }
  document.getElementById(`note-${name}`).textContent = notes.join(" · ");
}

function drawMovers(variacao) {
  const moves = [...variacao.altas, ...variacao.quedas].sort((a, b) => a.diferencaUsd - b.diferencaUsd);
  const label = (m) => truncate(m.codigo === m.nome || !m.nome ? m.codigo : `${m.codigo} ${m.nome}`, 30);
  const trace = {
    type: "bar", orientation: "h",
    x: moves.map((m) => m.diferencaUsd), y: moves.map(label),
    text: moves.map((m) => percent(m.variacaoPct, true)), textposition: "inside",
    hovertext: moves.map((m) => m.nome || m.codigo),
    hovertemplate: "%{hovertext}<br>Δ US$ %{x:,.0f} (%{text})<extra></extra>",
    marker: { color: moves.map((m) => (m.diferencaUsd >= 0 ? COLORS.gain : COLORS.loss)) },
  };
  const axes = { xaxis: { exponentformat: "B", zeroline: true }, yaxis: { automargin: true, type: "category" } };
  Plotly.react("chart-movers", [trace], layout(moves.length ? axes : noData()), CHART_CONFIG);
  const compared = variacao.periodo ? `${months(variacao.periodo)} ${t("compared")} ${months(variacao.comparado)}` : "";
  document.getElementById("note-movers").textContent = compared;
}

function drawConcentration(body) {
  const hhi = (c) => (c.hhi === null ? "–" : number(c.hhi, 0));
  setFigure("fig-hhi-paises", hhi(body.paises), body.paises.hhi);
  setFigure("fig-hhi-produtos", hhi(body.produtos), body.produtos.hhi);
  const tops = (c) => `${t("top1")} ${percent(c.top1Pct)}, ${t("top5")} ${percent(c.top5Pct)}`;
  document.getElementById("hhi-tops").textContent =
    `${t("countries")}: ${tops(body.paises)} · SH4: ${tops(body.produtos)}`;
  document.getElementById("note-hhi").textContent = months(body.periodo);
}

function drawBalance(balanca) {
  for (const flow of ["exportacao", "importacao", "corrente"]) {
    setFigure(`fig-${flow}`, usd(balanca[`${flow}Usd`]), balanca[`${flow}Usd`]);
  }
  setFigure("fig-saldo", usd(balanca.saldoUsd), balanca.saldoUsd).className =
    balanca.saldoUsd >= 0 ? "gain" : "loss";
  document.getElementById("note-balanca").textContent = `${t("through")}: ${month(balanca.dataThrough)}`;
  const items = balanca.items;
  const x = items.map((i) => `${i.ano}-${pad(i.mes)}-01`);
  const money = (name) => `${name} %{x|%m/%Y}: US$ %{y:,.0f}<extra></extra>`;
  const traces = [
    { type: "bar", name: t("exports"), x, y: items.map((i) => i.exportacaoUsd),
      marker: { color: COLORS.bar }, hovertemplate: money(t("exports")) },
    { type: "bar", name: t("imports"), x, y: items.map((i) => i.importacaoUsd),
      marker: { color: COLORS.imports }, hovertemplate: money(t("imports")) },
    { type: "scatter", mode: "lines+markers", name: t("balanceUsd"), x, y: items.map((i) => i.saldoUsd),
      line: { color: COLORS.balance, width: 2 }, hovertemplate: money(t("balanceUsd")) },
  ];
  const axes = {
    barmode: "group", showlegend: true, legend: { orientation: "h", y: 1.12 },
    xaxis: { type: "date", tickformat: "%m/%Y", dtick: "M1" },
    yaxis: { exponentformat: "B", automargin: true, zeroline: true },
  };
  Plotly.react("chart-balanca", traces, layout(items.length ? axes : noData()), CHART_CONFIG);
  showUpdated(balanca);
}

function drawPartners(page) {
  const items = page.items.slice().reverse();
  const y = items.map((i) => truncate(i.nome || i.codigo));
  const hovertext = items.map((i) => i.nome || i.codigo);
  const money = (name) => `%{hovertext}<br>${name}: US$ %{x:,.0f}<extra></extra>`;
  const traces = [
    { type: "bar", orientation: "h", name: t("exports"), x: items.map((i) => i.exportacaoUsd), y,
      hovertext, marker: { color: COLORS.bar }, hovertemplate: money(t("exports")) },
    { type: "bar", orientation: "h", name: t("imports"), x: items.map((i) => i.importacaoUsd), y,
      hovertext, marker: { color: COLORS.imports }, hovertemplate: money(t("imports")) },
    { type: "scatter", mode: "markers", name: t("balanceUsd"), x: items.map((i) => i.saldoUsd), y,
      hovertext, marker: { color: COLORS.balance, symbol: "diamond", size: 9 },
      hovertemplate: money(t("balanceUsd")) },
  ];
  const axes = {
    height: 460, barmode: "group", showlegend: true, legend: { orientation: "h", y: 1.08 },
    xaxis: { exponentformat: "B", zeroline: true }, yaxis: { automargin: true, type: "category" },
  };
  Plotly.react("chart-parceiros", traces, layout(items.length ? axes : noData()), CHART_CONFIG);
  const notes = [t("partnersNote")];
  if (state.pais) notes.push(t("ownFilter"));
  if (page.periodo) notes.push(months(page.periodo));
  document.getElementById("note-parceiros").textContent = notes.join(" · ");
}

// ---------------------------------------------------------------- start

/** The years the current view has data for. */
async function availableYears() {
  if (balance()) return (await api("/v1/metrics/balanca")).items.map((i) => i.ano);
  return (await api("/v1/metrics/resumo", without(scope(), ...SCOPE_KEYS.slice(1)))).anos;
}

async function start() {
  applyLanguage();
  setState("loading");
  try {
    if (!window.Plotly) throw new ApiError("", 0, "plotly.js did not load");
    const anos = await availableYears();
    if (!anos.length) return showEmpty();
    showView();
    if (!state.ano) state.ano = String(Math.max(...anos));
    await loadSelectors(anos);
  } catch (error) {
    return showError(error);
  }
  return render();
}

bindControls();
start();
