import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { JwksController } from './jwks.controller.js';
import { KeyRotationScheduler } from './key-rotation.scheduler.js';
import { KeysService } from './keys.service.js';
import { SigningKeyEntity } from './signing-key.entity.js';

@Module({
  imports: [TypeOrmModule.forFeature([SigningKeyEntity])],
  controllers: [JwksController],
  providers: [KeysService, KeyRotationScheduler],
  exports: [KeysService],
})
export class KeysModule {}
