// The lookup's matching, the same as the server's (collecte.Store.Lookup):
// the typed words, folded (accents, case, ligatures, anything but letters
// and digits), must each start a word of the commune's key (its name's
// words, postcodes and INSEE code). "st"/"ste" stand for "saint"/"sainte".
export function foldWords(text) {
  const folded = text
    .replace(/[œŒ]/g, "oe").replace(/[æÆ]/g, "ae").replace(/ß/g, "ss")
    .normalize("NFD").replace(/[\u0300-\u036f]/g, "")
    .toLowerCase();
  const out = [];
  for (let w of folded.split(/[^a-z0-9]+/)) {
    if (w === "") continue;
    if (w === "st") w = "saint";
    if (w === "ste") w = "sainte";
    out.push(w);
    if (out.length === 6) break;
  }
  return out;
}

// filterCommunes keeps the communes matching every word: the commune of
// that very name first, then those whose name starts with the first word.
export function filterCommunes(communes, words, limit) {
  const exact = words.join(" ");
  const scored = [];
  for (const c of communes) {
    if (!words.every((w) => c.k.includes(" " + w))) continue;
    const name = foldWords(c.n).join(" ");
    const rank = name === exact ? 0 : c.k.startsWith(" " + words[0]) ? 1 : 2;
    scored.push({ c, rank });
  }
  scored.sort((a, b) => a.rank - b.rank || a.c.n.localeCompare(b.c.n, "fr"));
  return scored.slice(0, limit).map((s) => s.c);
}
