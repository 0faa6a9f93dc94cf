import { Module } from '@nestjs/common';
import { ClientsModule } from '../clients/clients.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { AccessTokenGuard } from './access-token.guard.js';
import { UserinfoController } from './userinfo.controller.js';
import { UserinfoService } from './userinfo.service.js';

/** The UserInfo endpoint; users come from the global UsersModule. */
@Module({
  imports: [ClientsModule, TokensModule],
  controllers: [UserinfoController],
  providers: [AccessTokenGuard, UserinfoService],
})
export class UserinfoModule {}
