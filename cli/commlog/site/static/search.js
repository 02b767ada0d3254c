// The archive's search (commlog.site.search writes the index it reads; keep the two in step).
// A query is folded and cut as the index was: CJK runs into their characters and neighbouring
// pairs, Latin words and numbers whole (matched by their beginning). The records holding every
// term of every word are the candidates; each is then checked for the words themselves in its
// own text, newest first, a page at a time.
(function () {
  "use strict";
  var CJK = "\\u3040-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\uac00-\\ud7af\\u{20000}-\\u{3ffff}";
  var WORD = /[\p{L}\p{N}]+/gu;
  var SEGMENT = new RegExp("[" + CJK + "]+|[^" + CJK + "]+", "gu");
  var CJK_CHAR = new RegExp("^[" + CJK + "]", "u");
  var PAGE = 20;

  function fold(text) { return text.normalize("NFKC").toLowerCase(); }

  // Runs as the index cuts them: letters and digits, split where CJK begins or ends.
  function runs(text) {
    var out = [];
    (text.match(WORD) || []).forEach(function (word) {
      word.match(SEGMENT).forEach(function (seg) { out.push({ cjk: CJK_CHAR.test(seg), text: seg }); });
    });
    return out;
  }

  function shardOf(term, shards) {
    var key = CJK_CHAR.test(term) ? term : Array.from(term).slice(0, 2).join("");
    var h = 0x811c9dc5;
    for (var ch of key) { h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0; }
    return h % shards;
  }

  // The lookups of one word: a CJK term to match exactly, or a Latin prefix.
  function lookups(word) {
    var out = [];
    runs(word).forEach(function (r) {
      if (!r.cjk) { out.push({ prefix: r.text }); return; }
      var chars = Array.from(r.text);
      if (chars.length === 1) { out.push({ term: chars[0] }); return; }
      for (var i = 0; i + 1 < chars.length; i++) { out.push({ term: chars[i] + chars[i + 1] }); }
    });
    return out;
  }

  function Index(base) {
    this.base = base;
    this.cache = {};
    this.meta = this.fetch("meta.json");
    this.facets = this.fetch("facets.json");
  }

  Index.prototype.fetch = function (path) {
    if (!this.cache[path]) {
      this.cache[path] = fetch(this.base + path).then(function (r) {
        if (!r.ok) { throw new Error(path + ": " + r.status); }
        return r.json();
      });
    }
    return this.cache[path];
  };

  function ungap(gaps) {
    var out = new Array(gaps.length), n = 0;
    for (var i = 0; i < gaps.length; i++) { n += gaps[i]; out[i] = n; }
    return out;
  }

  function intersect(a, b) {
    var out = [], i = 0, j = 0;
    while (i < a.length && j < b.length) {
      if (a[i] === b[j]) { out.push(a[i]); i++; j++; } else if (a[i] < b[j]) { i++; } else { j++; }
    }
    return out;
  }

  Index.prototype.postings = function (lookup) {
    var self = this;
    return this.meta.then(function (meta) {
      var key = lookup.term || lookup.prefix;
      return self.fetch("terms/" + shardOf(key, meta.shards) + ".json").then(function (shard) {
        if (lookup.term) { return shard.hasOwnProperty(key) ? ungap(shard[key]) : []; }
        var seen = new Set();
        Object.keys(shard).forEach(function (t) {
          if (t.startsWith(key) && !CJK_CHAR.test(t)) { ungap(shard[t]).forEach(function (n) { seen.add(n); }); }
        });
        return Array.from(seen).sort(function (x, y) { return x - y; });
      });
    });
  };

  Index.prototype.doc = function (n) {
    var self = this;
    return this.meta.then(function (meta) {
      return self.fetch("docs/" + Math.floor(n / meta.chunk) + ".json").then(function (chunk) {
        var d = chunk[n % meta.chunk];
        return { n: n, url: d[0], title: d[1], status: d[2], date: d[3], text: d[4] };
      });
    });
  };

  // The records whose terms hold every word and whose facets match the filters, newest first.
  Index.prototype.candidates = function (words, filters) {
    var self = this;
    var all = [];
    words.forEach(function (w) { all = all.concat(lookups(w)); });
    return Promise.all([this.meta, this.facets, Promise.all(all.map(function (l) { return self.postings(l); }))])
      .then(function (got) {
        var meta = got[0], facets = got[1], lists = got[2];
        var found;
        if (lists.length) {
          lists.sort(function (a, b) { return a.length - b.length; });
          found = lists.reduce(intersect);
        } else {
          found = Array.from({ length: meta.docs }, function (_, i) { return i; });
        }
        var chosen = Object.keys(filters).filter(function (k) { return filters[k] !== ""; });
        return found.filter(function (n) {
          return chosen.every(function (k) { return facets[k].charCodeAt(n) - meta.facet_base === Number(filters[k]); });
        });
      });
  };

  // The text folded character by character, with where each folded character came from.
  function folded(text) {
    var out = "", from = [], i = 0;
    for (var ch of text) {
      var f = fold(ch);
      for (var k = 0; k < f.length; k++) { from.push(i); }
      out += f;
      i += ch.length;
    }
    from.push(i);
    return { text: out, from: from };
  }

  function contains(doc, words) {
    var f = folded(doc.title + "\n" + doc.text).text;
    return words.every(function (w) { return f.indexOf(w) >= 0; });
  }

  // A search: words (folded, split on spaces) and filters; results come a page at a time.
  function Search(index, query, filters) {
    this.index = index;
    this.words = fold(query).split(/\s+/).filter(function (w) { return runs(w).length > 0; });
    this.filters = filters;
    this.pending = null;
    this.next = 0;
    this.dropped = 0;
  }

  Search.prototype.start = function () {
    var self = this;
    return this.index.candidates(this.words, this.filters).then(function (found) {
      self.pending = found;
      return found;
    });
  };

  // The next `count` candidates that really contain the words.
  Search.prototype.more = function (count) {
    var self = this, out = [];
    function step() {
      if (out.length >= count || self.next >= self.pending.length) { return Promise.resolve(out); }
      var batch = self.pending.slice(self.next, self.next + count - out.length);
      self.next += batch.length;
      return Promise.all(batch.map(function (n) { return self.index.doc(n); })).then(function (docs) {
        docs.forEach(function (d) { if (contains(d, self.words)) { out.push(d); } else { self.dropped++; } });
        return step();
      });
    }
    return step();
  };

  Search.prototype.done = function () { return this.next >= this.pending.length; };

  // Text with every occurrence of the words marked, as DOM nodes (never as HTML).
  function marked(text, words, parent) {
    var f = folded(text), spans = [];
    words.forEach(function (w) {
      for (var at = f.text.indexOf(w); at >= 0; at = f.text.indexOf(w, at + 1)) {
        spans.push([f.from[at], f.from[at + w.length]]);
      }
    });
    spans.sort(function (x, y) { return x[0] - y[0]; });
    var pos = 0;
    spans.forEach(function (span) {
      if (span[1] <= pos) { return; }
      var start = Math.max(span[0], pos);
      parent.appendChild(document.createTextNode(text.slice(pos, start)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(start, span[1]);
      parent.appendChild(mark);
      pos = span[1];
    });
    parent.appendChild(document.createTextNode(text.slice(pos)));
  }

  // The part of a record's text around the first word found, on one line.
  function excerpt(text, words) {
    var flat = text.replace(/\s+/g, " "), f = folded(flat), first = -1;
    words.forEach(function (w) {
      var at = f.text.indexOf(w);
      if (at >= 0 && (first < 0 || at < first)) { first = at; }
    });
    var start = first < 0 ? 0 : Math.max(0, f.from[first] - 30);
    var piece = flat.slice(start, start + 120);
    return (start > 0 ? "…" : "") + piece + (start + 120 < flat.length ? "…" : "");
  }

  function ui(root) {
    var base = root.dataset.index, site = root.dataset.root;
    var index = new Index(base);
    var form = root.querySelector("form"), box = form.querySelector("input[name=q]");
    var count = root.querySelector(".commlog-search-count"), list = root.querySelector(".commlog-search-results");
    var moreButton = root.querySelector(".commlog-search-more");
    var current = null, timer = null;

    index.meta.then(function (meta) {
      meta.facets.forEach(function (facet) {
        var select = form.querySelector("select[name=" + facet.key + "]");
        facet.values.forEach(function (v, i) {
          var o = document.createElement("option");
          o.value = String(i);
          o.textContent = v;
          select.appendChild(o);
        });
      });
      var params = new URLSearchParams(window.location.search);
      meta.facets.forEach(function (facet) {
        var v = params.get(facet.key);
        var i = v === null ? -1 : facet.values.indexOf(v);
        if (i >= 0) { form.querySelector("select[name=" + facet.key + "]").value = String(i); }
      });
      if (params.get("q")) { box.value = params.get("q"); }
      run();
    }).catch(function (err) { count.textContent = "搜索索引无法读取：" + err.message; });

    function filters() {
      var out = {};
      form.querySelectorAll("select").forEach(function (s) { out[s.name] = s.value; });
      return out;
    }

    function show(docs, search) {
      docs.forEach(function (d) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = site + d.url;
        a.className = "commlog-search-title";
        marked(d.title, search.words, a);
        var info = document.createElement("span");
        info.className = "commlog-search-info";
        info.textContent = d.status + " · " + d.date;
        var p = document.createElement("p");
        marked(excerpt(d.text, search.words), search.words, p);
        li.appendChild(a);
        li.appendChild(info);
        li.appendChild(p);
        list.appendChild(li);
      });
    }

    function tally(search) {
      var n = search.pending.length - search.dropped;
      count.textContent = (search.done() ? "共 " : "约 ") + n + " 条记录";
      moreButton.hidden = search.done();
    }

    function run() {
      var f = filters();
      var anyFilter = Object.keys(f).some(function (k) { return f[k] !== ""; });
      var params = new URLSearchParams();
      if (box.value.trim()) { params.set("q", box.value.trim()); }
      index.meta.then(function (meta) {
        meta.facets.forEach(function (facet) {
          if (f[facet.key] !== "") { params.set(facet.key, facet.values[Number(f[facet.key])]); }
        });
        var qs = params.toString();
        history.replaceState(null, "", window.location.pathname + (qs ? "?" + qs : ""));
      });
      list.textContent = "";
      moreButton.hidden = true;
      var search = new Search(index, box.value, f);
      current = search;
      if (!search.words.length && !anyFilter) { count.textContent = ""; return; }
      count.textContent = "正在搜索…";
      search.start().then(function () { return search.more(PAGE); }).then(function (docs) {
        if (current !== search) { return; }
        show(docs, search);
        tally(search);
        if (!docs.length) { count.textContent = "没有找到含有“" + box.value.trim() + "”的记录"; }
      }).catch(function (err) { count.textContent = "搜索出错：" + err.message; });
    }

    form.addEventListener("submit", function (e) { e.preventDefault(); run(); });
    box.addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(run, 250); });
    form.querySelectorAll("select").forEach(function (s) { s.addEventListener("change", run); });
    moreButton.addEventListener("click", function () {
      var search = current;
      search.more(PAGE).then(function (docs) { if (current === search) { show(docs, search); tally(search); } });
    });
  }

  // For tests and scripts: every record (url, title, status, date) that a query finds, with filters as on the page.
  var indexes = {};
  window.commlogSearch = function (base, query, filters) {
    indexes[base] = indexes[base] || new Index(base);
    var search = new Search(indexes[base], query, filters || {});
    return search.start().then(function (found) { return search.more(found.length); });
  };

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.getElementById("commlog-search");
    if (root) { ui(root); }
  });
})();
