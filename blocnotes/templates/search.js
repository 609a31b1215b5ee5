// The search box of the series' pages: an enhancement over Pagefind's index (static files in
// pagefind/, no server). Without this script the form stays hidden and the page reads as it is.
// Each language of the series has its own index (its stemming): every one is searched.
const form = document.querySelector("form.search");
const bundle = new URL("pagefind/", import.meta.url).href;

async function instances() {
  const entry = await (await fetch(bundle + "pagefind-entry.json")).json();
  const root = document.documentElement, own = root.getAttribute("lang");
  const made = [];
  for (const language of Object.keys(entry.languages)) {
    // One module per language (its address tells them apart): Pagefind's module holds one
    // WebAssembly stemmer and index at a time, and it searches in the page's thread.
    const pagefind = await import(`${bundle}pagefind.js?${encodeURIComponent(language)}`);
    root.setAttribute("lang", language);  // Pagefind takes an instance's language from here
    try {
      made.push(pagefind.createInstance({ basePath: bundle, noWorker: true }));
    } finally {
      root.setAttribute("lang", own);
    }
    await made.at(-1).init();
  }
  return made;
}

if (form) {
  const input = form.querySelector("input"), list = form.querySelector(".search-results");
  let searchers = null, asked = 0;
  form.hidden = false;
  form.addEventListener("submit", (event) => event.preventDefault());
  input.addEventListener("input", async () => {
    const words = input.value.trim(), turn = ++asked;
    if (!words) { list.replaceChildren(); return; }
    searchers ??= instances();
    const searches = [];
    for (const one of await searchers) searches.push(await one.search(words));
    const found = searches.flatMap((search) => search?.results ?? [])
      .sort((a, b) => b.score - a.score).slice(0, 8);
    const pages = await Promise.all(found.map((result) => result.data()));
    if (turn !== asked) return;  // a later search has been asked for
    if (!pages.length) {
      const none = document.createElement("p");
      none.textContent = form.dataset.none;
      list.replaceChildren(none);
      return;
    }
    const items = document.createElement("ul");
    for (const page of pages) {
      const item = document.createElement("li"), link = document.createElement("a");
      link.href = new URL(page.url.replace(/^\//, ""), new URL("..", bundle)).href;
      link.textContent = page.meta?.title ?? page.url;
      const excerpt = document.createElement("p");
      excerpt.innerHTML = page.excerpt;  // Pagefind's: the page's own text, words in <mark>
      const when = document.createElement("span");
      when.className = "when";
      when.textContent = page.meta?.date ?? "";
      item.append(link, when, excerpt);
      items.append(item);
    }
    list.replaceChildren(items);
  });
}
