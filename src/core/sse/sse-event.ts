/** One decoded Server-Sent Event. `event` is undefined when the server sent no `event:` field. */
export interface SseEvent {
  event?: string;
  data: string;
  id?: string;
}
