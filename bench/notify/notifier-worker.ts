/** The real notification_service as its own process for the notify benchmark (configured by environment). */
import { runServiceMain } from '../../src/runtime/service.js';
import { notificationService } from '../../src/services/notification-service/notification-service.js';

await runServiceMain(notificationService);
