/**
 * The key a channel knows an item by (Google and Meta `id`, Amazon `sku`). It must be one exact
 * string in every feed format of the channel, so it is cleaned once, on the item, before any
 * renderer sees it: a TSV cell would otherwise turn a tab into a space while XML kept the tab, and
 * one item would go out under two ids.
 */

// C0 and C1 control characters, tabs and line breaks included; a run of them is one gap.
/* eslint-disable no-control-regex -- matching control characters is the point */
const CONTROL_RUNS = /[\u0000-\u001f\u007f-\u009f]+/g;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/* eslint-enable no-control-regex */

/** Control characters (tabs, line breaks) → one space, then trimmed. `""` when nothing is left. */
export function channelKeyText(text: string): string {
  return CONTROL.test(text) ? text.replace(CONTROL_RUNS, " ").trim() : text.trim();
}
