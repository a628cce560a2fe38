  // ---- the audit log panel (audit.js, spliced into page.html's script when it is served) -
  // A page of /ops/audit, newest first, filtered by action (or family), account and key
  // prefix; "Older" follows next_before, "Newer" goes back. Each refresh re-reads the page
  // shown: the newest gains entries, an older one stays as it was (the log is append-only).
  // Details read as the CLI prints them (api_stub/ops_cli/audit_views.py; a test compares).
  const AUDIT_LIMIT = 20;
  const AUDIT_ACTIONS = [
    "key.created", "key.revoked", "key.rotated", "job.created", "job.retried",
    "job.cancelled", "jobs.bulk_retried", "jobs.bulk_cancelled", "migration.created",
    "migration.abandoned", "migration.executed", "upload.stored", "retention.purged",
  ];
  // the details an operator looks for first; any others follow in alphabetical order
  const DETAIL_ORDER = [
    "filename", "format", "bytes", "sha256", "filter", "matched", "acted", "refused",
    "kind", "was", "key_prefix", "label", "operator", "accounts", "expires_at",
    "new_key_prefix", "new_key_id", "grace_ends", "provider", "cutover", "currency",
    "job", "migration", "bulk",
  ];
  const SHA_SHOWN = 12;
  const KEY_PREFIX = /^mw[ko]_[0-9a-f]{6}$/;

  const audit = {
    filter: { action: "", account: "", key: "" },
    pages: [],          // the `before` of each page shown so far; the last is this page's
  };

  /** A byte count as `832 B`, `1.2 kB`, `3.4 MB` (powers of 1000, one decimal). */
  function fmtBytes(count) {
    let value = count, unit = "B";
    for (const bigger of ["kB", "MB", "GB", "TB"]) {
      if (value < 999.95) break;
      value /= 1000;
      unit = bigger;
    }
    return unit === "B" ? count + " B" : fixed(value, 1) + " " + unit;
  }

  /** The first three of a list, and how many more (as the CLI's id_list). */
  function fmtList(items) {
    return items.slice(0, 3).join(", ") + (items.length > 3 ? " +" + (items.length - 3) +
                                                               " more" : "");
  }

  /** One detail's value, short; "" for nothing worth showing. */
  function detailText(name, value) {
    if (value === null || value === undefined || value === false || value === "") return "";
    if (value === true) return "yes";
    if (Array.isArray(value)) {
      return value.length ? fmtList(value.map((v) => detailText(name, v) || "-")) : "";
    }
    if (typeof value === "object") {
      return Object.entries(value).map(([k, v]) => [k, detailText(k, v)])
        .filter(([, text]) => text).map(([k, text]) => k + "=" + text).join(", ");
    }
    if (name === "bytes" && Number.isInteger(value)) return fmtBytes(value);
    if (name === "sha256" && typeof value === "string" && value.length > SHA_SHOWN) {
      return value.slice(0, SHA_SHOWN) + "…";
    }
    if (/(_at|_ends)$/.test(name) && typeof value === "string") return fmtTime(value);
    if (typeof value === "number" && !Number.isInteger(value)) {
      return fixed(value, 3).replace(/\.?0+$/, "");
    }
    return String(value);
  }

  /** An entry's details as `name value · name value`, the telling ones first. */
  function detailsText(details) {
    const names = [...DETAIL_ORDER.filter((n) => n in details),
                   ...Object.keys(details).filter((n) => !DETAIL_ORDER.includes(n)).sort()];
    return names.map((n) => [n, detailText(n, details[n])]).filter(([, text]) => text)
      .map(([n, text]) => n.replaceAll("_", " ") + " " + text).join(" · ");
  }

  /** `operator mwo_1a2b3c (ops laptop)`, `cli alice@host`, `service`. */
  function whoText(entry) {
    let text = [entry.actor, entry.key_prefix || ""].filter((p) => p).join(" ");
    if (entry.key_label) {
      text += entry.key_prefix ? " (" + entry.key_label + ")" : " " + entry.key_label;
    }
    return text;
  }

  async function refreshAudit() {
    const before = audit.pages.length ? audit.pages[audit.pages.length - 1] : null;
    const page = await panelRead("audit-error", "ops/audit?" + query({
      ...audit.filter, limit: AUDIT_LIMIT, before }));
    if (page === null || state.jobId) return;
    drawIfChanged("audit", { page, pages: audit.pages.length }, drawAudit);
  }

  function drawAudit({ page, pages }) {
    fillRows("audit-body", page.data.length ? page.data.map((e) => el("tr",
      { "data-audit-id": e.id, "data-action": e.action },
      timeCell(e.at),
      el("td", { "data-field": "action" }, el("code", {}, e.action)),
      el("td", { "data-field": "who" }, whoText(e)),
      el("td", { "data-field": "account" }, e.account || "–"),
      el("td", { "data-field": "subject", class: "mono" }, e.subject || "–"),
      el("td", { "data-field": "address" }, e.address || "–"),
      el("td", { "data-field": "details", class: "wide" }, detailsText(e.details || {}))))
      : [emptyRow(7, pages ? "No older entry." : "No entry matches.")]);
    $("audit-older").disabled = !page.has_more;
    $("audit-older").dataset.before = page.next_before ?? "";
    $("audit-newer").disabled = pages === 0;
    $("audit-page").textContent = (pages ? "Older entries, page " + (pages + 1)
                                         : "The newest entries") +
      (page.data.length ? " (" + page.data.length + ")" : "");
  }

  /** Page through: "older" follows next_before, "newer" goes back one page. */
  function turnAuditPage(older) {
    if (older) {
      const before = Number($("audit-older").dataset.before);
      if (!before) return;
      audit.pages.push(before);
    } else {
      audit.pages.pop();
    }
    state.drawn.delete("audit");
    refresh();
  }

  function applyAuditFilter(event) {
    event.preventDefault();
    const key = $("audit-key").value.trim();
    if (key && !KEY_PREFIX.test(key)) {
      $("audit-error").textContent = "A key prefix is mwk_ or mwo_ and six hex digits " +
                                     "(mwk_1a2b3c), as the keys above show.";
      show("audit-error", true);
      return;
    }
    audit.filter = { action: $("audit-action").value, account: $("audit-account").value.trim(),
                     key };
    audit.pages = [];
    show("audit-error", false);
    refresh();
  }

  function clearAudit() {
    audit.pages = [];
    show("audit-error", false);
  }

  function startAudit() {
    const families = [...new Set(AUDIT_ACTIONS.map((a) => a.split(".")[0]))];
    $("audit-action").append(...families.map((family) => el("optgroup", { label: family },
      el("option", { value: family }, family + ".* (every " + family + " action)"),
      AUDIT_ACTIONS.filter((a) => a.startsWith(family + "."))
        .map((a) => el("option", { value: a }, a)))));
    $("audit-filter").addEventListener("submit", applyAuditFilter);
    $("audit-action").addEventListener("change", () => $("audit-filter").requestSubmit());
    $("audit-clear").addEventListener("click", () => {
      $("audit-action").value = "";
      $("audit-account").value = "";
      $("audit-key").value = "";
      $("audit-filter").requestSubmit();
    });
    $("audit-older").addEventListener("click", () => turnAuditPage(true));
    $("audit-newer").addEventListener("click", () => turnAuditPage(false));
  }
