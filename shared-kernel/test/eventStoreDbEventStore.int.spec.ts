import { describeWithServer, requireServerUrl } from '../../test/servers';
import { createEventStoreDbEventStore } from '../src/eventStore';
import { eventStoreContract } from './eventStoreContract';

// Runs wherever BDBAZAR_TEST_EVENTSTOREDB_URL is set or a Docker engine answers (test/globalSetup.js).
describeWithServer('eventstoredb', 'EventStoreDB adapter', () => {
  eventStoreContract({
    name: 'EventStoreDB',
    // EventStoreDB compares only the ids of a retried batch, not its content.
    capabilities: { detectsConflictingRetries: false },
    open: () => createEventStoreDbEventStore(requireServerUrl('eventstoredb')),
  });
});
