/**
 * Messaging: integration events, the publisher port, the outbox relay, the consumer kit, and the
 * two transports (RabbitMQ, in-process).
 */
export * from './integrationEvent';
export { MessagingConfigurationError, PublishError, isMessageFailure, type PublishFailure, type PublishFailureReason } from './errors';
export * from './publisher';
export * from './transport';
export { topicMatches } from './names';
export * from './outboxRelay';
export * from './consumer';
export * from './inProcessBus';
export { openRabbitMqTransport, DEFAULT_EXCHANGE, type RabbitMqTransport, type RabbitMqTransportOptions } from './rabbitmq/rabbitMqTransport';
export type { RabbitMqConnectionStatus } from './rabbitmq/connection';
