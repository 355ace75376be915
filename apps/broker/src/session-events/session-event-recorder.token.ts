/** Injection token of the SessionEventRecorder; null when SESSION_EVENTS is off. */
export const SESSION_EVENT_RECORDER = Symbol('SESSION_EVENT_RECORDER');
