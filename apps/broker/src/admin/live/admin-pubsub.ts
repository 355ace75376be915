/** The PubSub the admin API's subscriptions go through: one process here; a cluster swaps in a shared one. */
export const ADMIN_PUBSUB = Symbol('ADMIN_PUBSUB');

export const BROKER_METRICS = 'brokerMetrics';
export const CLIENT_EVENTS = 'clientEvents';
