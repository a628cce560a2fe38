  // ---- the API keys panel (keys.js, spliced into page.html's script when it is served) ---
  // Every key, newest first, with Revoke and Rotate (each takes a second click). A rotated
  // key's successor is shown once, in #new-key, until "Done": the API never shows it again.
  const keys = {
    armed: null,        // {id, action, until}: a revoke or rotate waiting for its second click
    list: [],           // the last GET /ops/keys
  };

  /** A key's state now: active, in grace (a rotated key still working), revoked, expired. */
  function keyState(key, now) {
    const revoked = key.revoked_at ? Date.parse(key.revoked_at) : null;
    const expires = key.expires_at ? Date.parse(key.expires_at) : null;
    if (expires !== null && expires <= now && (revoked === null || expires <= revoked)) {
      return { state: "expired", text: "expired " + fmtTime(key.expires_at) };
    }
    if (revoked !== null && revoked <= now) {
      return { state: "revoked", text: "revoked " + fmtTime(key.revoked_at) };
    }
    if (revoked !== null) {  // a rotation's grace period: revoked_at is still to come
      return { state: "grace", text: "in grace until " + fmtTime(key.revoked_at) };
    }
    return { state: "active", text: "active" };
  }

  /** Is this the key this tab signed in with? (A prefix is the key's first 10 characters.) */
  function isOwnKey(key) {
    return state.key !== null && !!key.prefix && state.key.startsWith(key.prefix);
  }

  async function refreshKeys() {
    const listed = await panelRead("keys-error", "ops/keys");
    if (listed === null || state.jobId) return;
    keys.list = listed.keys;
    drawKeysNow();
  }

  /** Draw the keys last read, their states as of now, and the button waiting for a click. */
  function drawKeysNow() {
    const now = Date.now();
    const shown = [...keys.list].sort((a, b) => b.id - a.id).map((k) => ({
      ...k, ...keyState(k, now), own: isOwnKey(k),
      armed: keys.armed && keys.armed.id === k.id ? keys.armed.action : null }));
    drawIfChanged("keys", shown, drawKeys);
  }

  function drawKeys(shown) {
    fillRows("keys-body", shown.length ? shown.map((k) => {
      const buttons = [];
      if (k.state === "active" || k.state === "grace") {
        const confirmText = "Click again to revoke" + (k.own ? " your own key" : "");
        buttons.push(el("button", { type: "button", class: "danger", "data-action": "revoke-key",
                                    "data-armed": k.armed === "revoke" },
                        k.armed === "revoke" ? confirmText : "Revoke"));
      }
      if (k.state === "active") {
        buttons.push(el("button", { type: "button", "data-action": "rotate-key",
                                    "data-armed": k.armed === "rotate" },
          k.armed === "rotate" ? "Click again to rotate" : "Rotate"));
      }
      return el("tr", { "data-key-id": k.id, "data-key-prefix": k.prefix },
        el("td", {}, el("code", {}, k.prefix), " ", el("span", { class: "muted" }, "ID " + k.id),
           k.own ? el("span", { class: "muted" }, " (this tab's)") : null),
        el("td", { "data-field": "whose" }, k.operator ? "operator" : k.accounts.join(", ")),
        el("td", { "data-field": "label" }, k.label || "–"),
        timeCell(k.created_at),
        timeCell(k.last_used_at),
        timeCell(k.expires_at),
        el("td", { "data-field": "state", "data-state": k.state, class: "s-key-" + k.state },
           k.text + (k.replaced_by ? ", replaced by ID " + k.replaced_by : "")),
        el("td", { class: "actions" }, buttons));
    }) : [emptyRow(8, "No API key yet.")]);
  }

  function onKeyAction(event) {
    const button = event.target.closest("button[data-action]");
    if (!button || state.key === null) return;
    const id = Number(button.closest("[data-key-id]").dataset.keyId);
    const action = button.dataset.action === "revoke-key" ? "revoke" : "rotate";
    const armed = keys.armed;
    if (!armed || armed.id !== id || armed.action !== action || Date.now() > armed.until) {
      // revoking or rotating takes a second click: arm the button, disarm it after a while
      keys.armed = { id, action, until: Date.now() + ARM_MS };
      setTimeout(() => {
        if (keys.armed && keys.armed.id === id && Date.now() >= keys.armed.until) {
          keys.armed = null;
          drawKeysNow();
        }
      }, ARM_MS + 50);
      drawKeysNow();
      return;
    }
    keys.armed = null;
    button.disabled = true;
    keyAction(action, keys.list.find((k) => k.id === id) || { id, prefix: "" });
  }

  async function keyAction(action, key) {
    const note = $("keys-note");
    const body = action === "rotate" ? { grace_seconds: Number($("keys-grace").value) }
                                     : undefined;
    try {
      const result = await api("POST", "ops/keys/" + encodeURIComponent(String(key.id)) + "/" +
                                        action, body);
      note.dataset.kind = "ok";
      if (action === "revoke") {
        note.textContent = "Key " + key.prefix + " (ID " + key.id + ") revoked " +
          fmtTime(result.revoked_at) + ": every web process refuses it within a second.";
      } else {
        note.textContent = "";
        showNewKey(key, result);
      }
      note.hidden = action !== "revoke";
    } catch (err) {
      if (err instanceof ApiError && AUTH_CODES.has(err.code)) {
        signOut({ code: err.code, message: err.message });
        return;
      }
      note.dataset.kind = "error";
      note.textContent = "Refused: " + err.message + " (" + err.code + ")";
      note.hidden = false;
    }
    state.drawn.delete("keys");
    refresh();
  }

  /** The new key of a rotation, once. If it replaces this tab's own key, the tab uses it
   * from now on (the old one stops at the end of its grace period). */
  function showNewKey(old, result) {
    const own = isOwnKey(old);
    if (own) signIn(result.key);
    $("new-key-about").textContent = "New key replacing " + old.prefix + " (ID " + result.id +
      "), which works until " + fmtTime(result.old_key_works_until) + "." +
      (own ? " This tab now uses the new key." : "");
    $("new-key-value").textContent = result.key;
    $("new-key-copy").textContent = "Copy";
    show("new-key", true);
  }

  function hideNewKey() {
    $("new-key-value").textContent = "";  // the key leaves the page, not only the screen
    $("new-key-about").textContent = "";
    show("new-key", false);
  }

  async function copyNewKey() {
    const value = $("new-key-value");
    try {
      await navigator.clipboard.writeText(value.textContent);
      $("new-key-copy").textContent = "Copied";
    } catch (_) {  // no clipboard (a page not served over https, say): select it instead
      getSelection().selectAllChildren(value);
      $("new-key-copy").textContent = "Selected: press Ctrl+C (⌘C)";
    }
  }

  function clearKeys() {
    keys.armed = null;
    keys.list = [];
    hideNewKey();
    show("keys-error", false);
    show("keys-note", false);
  }

  function startKeys() {
    $("keys-body").addEventListener("click", onKeyAction);
    $("new-key-done").addEventListener("click", hideNewKey);
    $("new-key-copy").addEventListener("click", copyNewKey);
  }
