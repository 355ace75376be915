export { createDataSource, openDatabase, ENTITIES } from './data-source';
export { DatabaseError } from './database-error';
export { DatabaseOptions, describeDatabase } from './database-options';
export { UserEntity } from './user/user.entity';
export { NewUser, UserExistsError, UserRepository } from './user/user.repository';
export { DurableState } from './write-behind/durable-state';
export { RetainedRow, SessionMessageRow, SessionRow, StoredSession, SubscriptionRow } from './write-behind/rows';
export { WriteBehindOptions, WriteBehindQueue } from './write-behind/write-behind-queue';
export { HistoryPage, HistoryRecord, MessageHistoryRepository, StoredHistoryRecord, TopicSummary, filterToSql } from './message-history/message-history.repository';
