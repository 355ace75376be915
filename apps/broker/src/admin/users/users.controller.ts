import { Body, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { AccessClaims } from '../auth/admin-tokens';
import { AdminOnly, CurrentAdmin } from '../auth/admin-principal';
import { Problems, RestController } from '../rest/rest-controller';
import { RestInput } from '../rest/rest-input.pipe';
import { CreateUserInput, MqttUserType, UpdateUserInput, UserExportType, UserImportInput, UserImportResultType } from './users.types';
import { UsersService } from './users.service';

const NO_USER: [HttpStatus, string] = [HttpStatus.NOT_FOUND, 'No user has this name'];

@RestController('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @ApiOperation({ summary: 'Every user, by name (GraphQL: users)' })
  @ApiOkResponse({ type: [MqttUserType], description: 'The users' })
  listUsers(): Promise<MqttUserType[]> {
    return this.users.list();
  }

  // Before GET :username, which would take "export" for a user name.
  @AdminOnly()
  @Get('export')
  @ApiOperation({ summary: 'Every user with its bcrypt hash, to import into another installation with POST /api/v1/users/import; audited (GraphQL: exportUsers)' })
  @ApiOkResponse({ type: [UserExportType], description: 'The users with their hashes' })
  exportUsers(@CurrentAdmin() admin: AccessClaims): Promise<UserExportType[]> {
    return this.users.export(admin.username);
  }

  @AdminOnly()
  @Post('import')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ summary: 'Adds or replaces users from an export (the JSON array GET /api/v1/users/export gives) or with new passwords; all are checked before any is written (GraphQL: importUsers)' })
  @ApiBody({ type: [UserImportInput] })
  @ApiOkResponse({ type: UserImportResultType, description: 'How many were created and updated' })
  @Problems(HttpStatus.BAD_REQUEST, HttpStatus.PAYLOAD_TOO_LARGE)
  importUsers(@CurrentAdmin() admin: AccessClaims, @Body(RestInput.arrayOf(UserImportInput)) users: UserImportInput[]): Promise<UserImportResultType> {
    return this.users.import(admin.username, users);
  }

  @Get(':username')
  @ApiOperation({ summary: 'A user (one named "export" is in GET /api/v1/users: GET /api/v1/users/export is the export)' })
  @ApiOkResponse({ type: MqttUserType, description: 'The user' })
  @Problems(NO_USER)
  getUser(@Param('username') username: string): Promise<MqttUserType> {
    return this.users.get(username);
  }

  @AdminOnly()
  @Post()
  @ApiOperation({ summary: 'Creates a user (GraphQL: createUser)' })
  @ApiCreatedResponse({ type: MqttUserType, description: 'The new user' })
  @Problems([HttpStatus.BAD_REQUEST, 'The name is taken or not allowed, or the password is empty or too long'])
  createUser(@CurrentAdmin() admin: AccessClaims, @Body(RestInput) input: CreateUserInput): Promise<MqttUserType> {
    return this.users.create(admin.username, input);
  }

  @AdminOnly()
  @Patch(':username')
  @ApiOperation({ summary: 'Changes a password, roles or enabled; what is left out stays as it is; the last enabled admin stays one (GraphQL: updateUser)' })
  @ApiOkResponse({ type: MqttUserType, description: 'The user as it is now' })
  @Problems(HttpStatus.BAD_REQUEST, NO_USER)
  updateUser(@CurrentAdmin() admin: AccessClaims, @Param('username') username: string, @Body(RestInput) input: UpdateUserInput): Promise<MqttUserType> {
    return this.users.update(admin.username, username, input);
  }

  @AdminOnly()
  @Delete(':username')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ summary: 'Deletes a user; the last enabled admin stays (GraphQL: deleteUser)' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @Problems([HttpStatus.BAD_REQUEST, 'It is the last enabled admin'], NO_USER)
  async deleteUser(@CurrentAdmin() admin: AccessClaims, @Param('username') username: string): Promise<void> {
    await this.users.delete(admin.username, username);
  }
}
