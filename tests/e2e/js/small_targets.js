() => {
  const selector = 'button, .button, select, summary, input:not([type=hidden]):not([type=checkbox]):not([type=radio]), nav a, .site-header a, label:has(> input[type=checkbox]), label:has(> input[type=radio])';
  const small = [];
  for (const el of document.querySelectorAll(selector)) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 || box.height === 0 || !el.checkVisibility({visibilityProperty: true})) continue;
    if (el.closest('.sr-only, .skip-link, [hidden]')) continue;
    if (box.height < 43.5 || box.width < 43.5) {
      small.push(`${el.tagName.toLowerCase()} "${(el.innerText || el.value || el.name || '').trim().slice(0, 20)}" ${Math.round(box.width)}×${Math.round(box.height)}`);
    }
  }
  return small;
}
