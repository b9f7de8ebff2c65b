/** A saved, named APDU of the console (PIN data masked, like everything stored). */
export interface Snippet {
  name: string;
  apdu: string;
  note?: string;
}
