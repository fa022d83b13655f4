// Small DOM helpers shared by the shell's modules.

/** The element with this id. */
export const $ = (id) => document.getElementById(id);

/** Replaces a select's options with `items` ({id, title}). */
export function fillSelect(select, items) {
  select.replaceChildren(...items.map((item) => new Option(item.title, item.id)));
}

/** Whether the element with this id is laid out and not inside a hidden ancestor. */
export const shown = (id) => !$(id).closest('[hidden]') && $(id).offsetParent !== null;

/** Saves `blob` as a file called `name` (a download the browser asks about or keeps). */
export function download(name, blob) {
  const a = document.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}
