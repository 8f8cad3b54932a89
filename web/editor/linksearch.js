// linkSearch makes the search of a picker dialog (the editor's link picker,
// the forms' document picker): it asks GET /pages/liens (extra narrows it,
// e.g. "type=documents&") for the words typed in q, lists each result in
// list as a button "label — detail" that calls choose(item), then calls
// shown(items). Only the latest search draws: an older answer arriving late
// is dropped. The list's data-for holds the words it answers (tests wait
// on it, since each key typed redraws the list).
export function linkSearch(extra, q, list, choose, shown) {
  let seq = 0;
  return () => {
    const n = ++seq;
    const words = q.value;
    fetch("/pages/liens?" + extra + "q=" + encodeURIComponent(words), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((r) => (r.ok ? r.json() : []))
      .then((items) => {
        if (n !== seq) return;
        list.replaceChildren(
          ...items.map((it) => {
            const li = document.createElement("li");
            const b = document.createElement("button");
            b.type = "button";
            b.className = "link";
            b.textContent = it.label;
            const small = document.createElement("span");
            small.className = "small";
            small.textContent = " — " + it.detail;
            b.append(small);
            b.addEventListener("click", () => choose(it));
            li.append(b);
            return li;
          }),
        );
        list.dataset.for = words;
        shown(items);
      })
      .catch(() => {});
  };
}
